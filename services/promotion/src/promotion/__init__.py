"""retail-sync promotion service."""
