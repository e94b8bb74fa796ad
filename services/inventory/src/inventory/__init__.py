"""retail-sync inventory service."""
