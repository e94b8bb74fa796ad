"""retail-sync order_ledger service."""
