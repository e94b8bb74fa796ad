from order_ledger.adapters.postgres.tables import metadata
from retail_platform.alembic_env import run_env

run_env(metadata)
