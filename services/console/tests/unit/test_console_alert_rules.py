"""infra/prometheus/alerts.yml and infra/grafana/retail-sync.json parse, and refer only to metrics the
code defines (prometheus_client Counter/Gauge/Histogram/Summary names under libs/ and services/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[4]
DEFINITION = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
METRIC_PREFIXES = ("retail_", "messaging_", "promotion_", "inventory_", "order_ledger_", "recon_")
# a metric name in PromQL: not a label (followed by = ! ~), not a function (followed by "(")
METRIC_TOKEN = re.compile(r"(?<![\w\"{=~])([a-z_:][a-z0-9_:]*)(?=\s*[{\[)\s]|\s*$|\s*[<>*/+-])")
REQUIRED_ALERT_METRICS = {
    "promotion_deployments_late_total",
    "inventory_drift_rate",
    "messaging_dlq_depth",
    "messaging_consumer_lag",
    "recon_unreconciled_amount_minor",
    "recon_exceptions_open_by_age",
}


def defined_metrics() -> set[str]:
    names: set[str] = set()
    for source in [*REPO.glob("libs/*/src/**/*.py"), *REPO.glob("services/*/src/**/*.py")]:
        for kind, name in DEFINITION.findall(source.read_text(encoding="utf-8")):
            names.add(name)
            if kind in ("Histogram", "Summary"):
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            if kind == "Counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
    return names


def metrics_in(expr: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    return {name for name in METRIC_TOKEN.findall(without_strings) if name.startswith(METRIC_PREFIXES)}


def alert_rules() -> list[dict[str, object]]:
    document = yaml.safe_load((REPO / "infra" / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_code_defines_the_business_metrics() -> None:
    assert defined_metrics() >= REQUIRED_ALERT_METRICS


def test_every_alert_rule_is_complete_and_uses_only_defined_metrics() -> None:
    defined = defined_metrics()
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    used: set[str] = set()
    for rule in rules:
        assert {"alert", "expr", "labels", "annotations"} <= set(rule), rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical")  # type: ignore[index]
        metrics = metrics_in(str(rule["expr"]))
        assert metrics, f"{rule['alert']}: no retail-sync metric in {rule['expr']!r}"
        assert metrics <= defined, f"{rule['alert']}: unknown metric(s) {sorted(metrics - defined)}"
        used |= metrics
    # late deployments, drift rate, DLQ depth, consumer lag, unreconciled amount, exception ageing
    assert used >= REQUIRED_ALERT_METRICS


def test_every_dashboard_query_uses_only_defined_metrics() -> None:
    dashboard = json.loads((REPO / "infra" / "grafana" / "retail-sync.json").read_text(encoding="utf-8"))
    defined = defined_metrics()
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            metrics = metrics_in(target["expr"])
            assert metrics, f"{panel['title']}: no retail-sync metric in {target['expr']!r}"
            assert metrics <= defined, f"{panel['title']}: unknown metric(s) {sorted(metrics - defined)}"


def test_the_metric_finder_sees_names_but_not_labels_or_functions() -> None:
    expr = 'sum by (channel) (increase(promotion_deployments_total{status="recon_x"}[1h])) > 0'
    assert metrics_in(expr) == {"promotion_deployments_total"}
    assert metrics_in("histogram_quantile(0.95, sum by (le) (rate(retail_http_x_bucket[5m])))") == {
        "retail_http_x_bucket"
    }
