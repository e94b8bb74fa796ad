"""Inventory use cases: one per file, each an object with ``async __call__``."""
