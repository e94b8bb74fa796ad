"""Master data service: ERP replica of items, nodes, channels, tax, cost, accounts, calendars."""
