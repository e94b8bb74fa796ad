"""Master data domain: versioned replicas of ERP records (pure, no I/O)."""
