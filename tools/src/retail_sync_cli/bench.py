"""`retail-sync bench NAME`: run the benchmark script `tools/bench/NAME.py` (dashes become underscores).

Each script prints its figures, ratios against a baseline measured in the same run, and a last line of JSON.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import click

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def available() -> list[str]:
    return sorted(p.stem.replace("_", "-") for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_"))


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("name")
@click.pass_context
def bench(ctx: click.Context, name: str) -> None:
    """Run a benchmark (promotion-eval, inventory, ledger, recon, ...); extra options go to the script."""
    script = BENCH_DIR / f"{name.replace('-', '_')}.py"
    if not script.exists():
        raise click.ClickException(f"no benchmark {name!r}; available: {', '.join(available()) or 'none'}")
    sys.argv = [str(script), *ctx.args]
    runpy.run_path(str(script), run_name="__main__")
