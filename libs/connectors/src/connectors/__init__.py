"""Pure format translators: settlement, bank, POS and ecommerce payloads, ERP journal export."""
