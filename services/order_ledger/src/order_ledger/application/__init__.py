"""Order ledger use cases and the ports they need."""
