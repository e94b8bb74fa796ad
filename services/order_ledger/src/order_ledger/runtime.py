"""Process settings of the order ledger (applied once the service has started).

Posting allocates many short-lived objects per transaction (decoded structs, postings, journal lines,
event payloads). With CPython's default collector settings the young generation is collected every
700 allocations and each full collection walks every object the process has ever kept alive (the
imported libraries, master data caches ...): measured on the ledger bench, that was ~25% of the
consumer's CPU. So, once started:

- `gc.freeze()` moves everything alive at that point (modules, settings, the wiring) to the permanent
  generation, which collections no longer walk;
- the young-generation threshold is raised, so it is collected every 50,000 allocations instead of
  700 (memory cost: a few MB of garbage between collections; cycles are still collected).
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 100)


def configure_process() -> None:
    """Call after start-up (imports and wiring done), before consuming."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
