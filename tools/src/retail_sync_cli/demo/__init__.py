"""`retail-sync demo`: a small retailer's day through every service (see command.py)."""

from retail_sync_cli.demo.command import demo

__all__ = ["demo"]
