"""Keep a local read model of master data from `retail.master.*` events.

Every service that needs items, nodes, channels, tax codes ... keeps its own copy in its own database,
fed by a durable consumer, and never calls master_data on a hot path (DESIGN.md section 1).
"""

from master_replica.handler import apply_master_event, replica_consumer_spec
from master_replica.reader import MasterReplica
from master_replica.schema import REPLICA_METADATA, create_replica_schema, master_replica

__all__ = [
    "REPLICA_METADATA",
    "MasterReplica",
    "apply_master_event",
    "create_replica_schema",
    "master_replica",
    "replica_consumer_spec",
]
