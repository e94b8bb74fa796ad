"""Order ledger domain: posting rules, periods, returns with promotion context, journal entries (pure)."""
