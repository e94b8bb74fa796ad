from pathlib import Path

import asyncpg
import pytest
from retail_platform.database import downgrade_migrations, ensure_database, run_migrations
from retail_platform.dburl import libpq_url

pytestmark = pytest.mark.integration

ENV_PY = """
from retail_platform.alembic_env import run_env
from retail_platform.tables import PLATFORM_METADATA
run_env(PLATFORM_METADATA)
"""

MAKO = '''"""${message}"""
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None

def upgrade():
    ${upgrades if upgrades else "pass"}

def downgrade():
    ${downgrades if downgrades else "pass"}
'''

FIRST = """
from alembic import op
import sqlalchemy as sa
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade():
    op.create_table("widgets", sa.Column("id", sa.Integer, primary_key=True))

def downgrade():
    op.drop_table("widgets")
"""

SECOND = """
from alembic import op
from retail_platform.tables import create_platform_schema, drop_platform_schema
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

def upgrade():
    create_platform_schema(op.get_bind())

def downgrade():
    drop_platform_schema(op.get_bind())
"""


@pytest.fixture
def script_dir(tmp_path: Path) -> Path:
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(ENV_PY)
    (tmp_path / "script.py.mako").write_text(MAKO)
    (tmp_path / "versions" / "0001_widgets.py").write_text(FIRST)
    (tmp_path / "versions" / "0002_platform.py").write_text(SECOND)
    return tmp_path


async def tables_and_version(database_url: str) -> tuple[set[str], str | None]:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        names = {
            row["tablename"]
            for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        version = None
        if "alembic_version" in names:
            version = await connection.fetchval("SELECT version_num FROM alembic_version")
        return names, version
    finally:
        await connection.close()


async def test_upgrade_to_head_then_step_down_to_base(database_url, script_dir):
    await run_migrations(database_url, script_dir)
    assert await tables_and_version(database_url) == (
        {"alembic_version", "widgets", "api_keys", "idempotency_keys"},
        "0002",
    )
    await downgrade_migrations(database_url, script_dir, "0001")
    assert await tables_and_version(database_url) == ({"alembic_version", "widgets"}, "0001")
    await downgrade_migrations(database_url, script_dir)
    assert await tables_and_version(database_url) == ({"alembic_version"}, None)
    await run_migrations(database_url, script_dir)  # the stairway climbs again
    assert (await tables_and_version(database_url))[1] == "0002"


async def test_ensure_database_creates_once(postgres_server_url):
    import uuid

    name = f"t_ensure_{uuid.uuid4().hex[:8]}"
    try:
        assert await ensure_database(postgres_server_url, name) is True
        assert await ensure_database(postgres_server_url, name) is False
    finally:
        connection = await asyncpg.connect(libpq_url(postgres_server_url))
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def test_ensure_database_refuses_unsafe_names(postgres_server_url):
    with pytest.raises(ValueError, match="lower-case"):
        await ensure_database(postgres_server_url, 'x"; DROP DATABASE postgres; --')
