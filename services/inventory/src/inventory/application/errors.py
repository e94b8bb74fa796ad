"""Application errors that are not rule violations of one record."""

from __future__ import annotations


class ConcurrentChangeError(Exception):
    """Another transaction changed what this one relied on (e.g. recorded the same idempotency key
    meanwhile): roll back and run the whole transaction again."""
