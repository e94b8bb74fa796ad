"""retail-sync reconciliation service."""
