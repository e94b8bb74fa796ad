"""Tables of the promotion service, declared apart from the domain."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

promotions = Table(
    "promotions",
    metadata,
    Column("promotion_id", Text, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    comment="One row per promotion: the lock that serialises its lifecycle changes.",
)

promotion_versions = Table(
    "promotion_versions",
    metadata,
    Column("promotion_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("approved_by", Text),
    Column("status_before_superseded", Text),
    Column("opens_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("promotion_id", "version"),
    comment="Immutable versions (a trigger refuses changes to content); only the status moves.",
)
Index("ix_promotion_versions_status", promotion_versions.c.status)

promotion_audit = Table(
    "promotion_audit",
    metadata,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("promotion_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", Text, nullable=False),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("why", Text, nullable=False),
    comment="Every lifecycle transition: who, when, why. Its max(seq) is the catalogue revision.",
)
Index("ix_promotion_audit_promotion", promotion_audit.c.promotion_id, promotion_audit.c.seq)

coupon_codes = Table(
    "coupon_codes",
    metadata,
    Column("code", Text, primary_key=True),
    Column("promotion_id", Text, nullable=False),
)

coupon_usage = Table(
    "coupon_usage",
    metadata,
    Column("code", Text, nullable=False),
    Column("customer_id", Text, nullable=False),
    Column("used", Integer, nullable=False),
    PrimaryKeyConstraint("code", "customer_id"),
    comment="Redemption counts per code: customer_id '' holds the total.",
)

coupon_redemptions = Table(
    "coupon_redemptions",
    metadata,
    Column("code", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("promotion_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("customer_id", Text),
    Column("redeemed_at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False),
    Column("over_limit", Boolean, nullable=False),
    PrimaryKeyConstraint("code", "reference"),
)

deployments = Table(
    "deployments",
    metadata,
    Column("deployment_id", Text, primary_key=True),
    Column("promotion_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("channel_kind", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("region", Text),
    Column("store_cluster", Text),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("payload", LargeBinary, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("late_flagged_at", DateTime(timezone=True)),
)
Index("ix_deployments_version", deployments.c.promotion_id, deployments.c.version)
Index(
    "ix_deployments_open",
    deployments.c.status,
    postgresql_where=deployments.c.status.in_(["pending", "sent"]),
)
