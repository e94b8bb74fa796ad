"""Promotions, immutable versions, audit, coupons, deployments; outbox/inbox, platform and replica tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from alembic import op
from master_replica.schema import REPLICA_METADATA, create_replica_schema
from messaging.schema import MESSAGING_METADATA, create_messaging_schema
from promotion.adapters.postgres.tables import metadata
from retail_platform.tables import create_platform_schema, drop_platform_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

IMMUTABLE_CONTENT = """
CREATE FUNCTION promotion_version_content_is_immutable() RETURNS trigger AS $$
BEGIN
  IF NEW.content IS DISTINCT FROM OLD.content OR NEW.version IS DISTINCT FROM OLD.version
     OR NEW.author IS DISTINCT FROM OLD.author THEN
    RAISE EXCEPTION 'promotion versions are immutable: % v%', OLD.promotion_id, OLD.version;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
IMMUTABLE_TRIGGER = """
CREATE TRIGGER promotion_versions_immutable BEFORE UPDATE ON promotion_versions
  FOR EACH ROW EXECUTE FUNCTION promotion_version_content_is_immutable()
"""


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind)
    op.execute(IMMUTABLE_CONTENT)
    op.execute(IMMUTABLE_TRIGGER)
    create_messaging_schema(bind)
    create_platform_schema(bind)
    create_replica_schema(bind)


def downgrade() -> None:
    bind = op.get_bind()
    REPLICA_METADATA.drop_all(bind)
    drop_platform_schema(bind)
    MESSAGING_METADATA.drop_all(bind)
    op.execute("DROP TRIGGER IF EXISTS promotion_versions_immutable ON promotion_versions")
    op.execute("DROP FUNCTION IF EXISTS promotion_version_content_is_immutable()")
    metadata.drop_all(bind)
