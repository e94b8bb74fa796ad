"""Canonical master-data types; the definitions live in :mod:`canon.master`."""

from canon.master import *  # noqa: F403
from canon.master import __all__ as __all__
