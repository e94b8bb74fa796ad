"""Canonical retail types: money, identifiers, event envelope, master data (pure, no I/O)."""
