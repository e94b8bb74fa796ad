"""Read side of the inventory service."""
