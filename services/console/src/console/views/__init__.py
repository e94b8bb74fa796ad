"""Pure aggregation of what the services answered into what each panel shows (no I/O)."""
