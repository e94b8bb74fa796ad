from retail_platform.alembic_env import run_env

from master_data.adapters.postgres.tables import metadata

run_env(metadata)
