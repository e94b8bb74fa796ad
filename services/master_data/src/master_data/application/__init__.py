"""Use cases and ports of the master data service."""
