"""Keep a local read model of master data from retail.master.* events."""
