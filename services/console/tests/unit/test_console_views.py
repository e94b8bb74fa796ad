"""Pure aggregation: deployments, latency, drift, readiness, trace, consumer lag."""

from __future__ import annotations

from datetime import UTC, datetime

from console.catalogue import operations_of
from console.views.deployments import by_channel_and_region, by_channel_from_metrics, deployment_rows
from console.views.drift import drift_summary
from console.views.latency import latency_by_channel, quantile
from console.views.messaging import consumer_lags, outbox_backlogs
from console.views.readiness import readiness_row
from console.views.trace import order_trace

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def deployment(
    channel: str, region: str | None, status: str, starts_at: str, **extra: object
) -> dict[str, object]:
    return {
        "deployment_id": f"d-{channel}-{region}-{status}",
        "promotion_id": "P1",
        "version": 1,
        "action": "publish",
        "channel_id": channel,
        "channel_kind": "store",
        "target": region or "-",
        "region": region,
        "store_cluster": None,
        "status": status,
        "starts_at": starts_at,
        "updated_at": "2026-03-06T10:00:00Z",
        "reason": None,
        "late_flagged_at": None,
        **extra,
    }


def test_open_deployments_past_their_start_and_flagged_ones_are_late_and_listed_first() -> None:
    rows = deployment_rows(
        [
            deployment("ECOM", "US-TX", "acknowledged", "2026-03-07T00:00:00Z"),
            deployment("STORES", "US-TX", "sent", "2026-03-07T00:00:00Z"),
            deployment("STORES", "US-CA", "pending", "2026-03-08T00:00:00Z"),
            deployment(
                "AMAZON", None, "acknowledged", "2026-03-07T00:00:00Z", late_flagged_at="2026-03-07T00:01Z"
            ),
        ],
        NOW,
    )
    assert [(r.channel_id, r.region, r.late) for r in rows] == [
        ("AMAZON", None, True),
        ("STORES", "US-TX", True),
        ("ECOM", "US-TX", False),
        ("STORES", "US-CA", False),
    ]
    tallies = by_channel_and_region(rows)
    assert [
        (t.channel_id, t.region, t.total, t.acknowledged, t.sent, t.pending, t.late) for t in tallies
    ] == [
        ("AMAZON", "-", 1, 1, 0, 0, 1),
        ("ECOM", "US-TX", 1, 1, 0, 0, 0),
        ("STORES", "US-CA", 1, 0, 0, 1, 0),
        ("STORES", "US-TX", 1, 0, 1, 0, 1),
    ]


def test_a_withdraw_still_open_after_the_start_is_not_late() -> None:
    [row] = deployment_rows(
        [deployment("ECOM", "EU", "sent", "2026-03-01T00:00:00Z", action="withdraw")], NOW
    )
    assert row.late is False


PROMOTION_METRICS = """# TYPE promotion_deployments_total counter
promotion_deployments_total{action="publish",channel="ECOM",status="acknowledged"} 3.0
promotion_deployments_total{action="publish",channel="ECOM",status="failed"} 1.0
promotion_deployments_total{action="withdraw",channel="ECOM",status="acknowledged"} 5.0
promotion_deployments_total{action="publish",channel="STORES",status="sent"} 4.0
# TYPE promotion_deployments_late_total counter
promotion_deployments_late_total{channel="STORES"} 2.0
"""


def test_deployment_counters_per_channel_count_publishes_only() -> None:
    assert [
        (t.channel_id, t.acknowledged, t.failed, t.late) for t in by_channel_from_metrics(PROMOTION_METRICS)
    ] == [
        ("ECOM", 3, 1, 0),
        ("STORES", 0, 0, 2),
    ]


LEDGER_METRICS = """# TYPE order_ledger_order_to_posting_seconds histogram
order_ledger_order_to_posting_seconds_bucket{le="1.0",received_via="api"} 2.0
order_ledger_order_to_posting_seconds_bucket{le="5.0",received_via="api"} 6.0
order_ledger_order_to_posting_seconds_bucket{le="10.0",received_via="api"} 10.0
order_ledger_order_to_posting_seconds_bucket{le="+Inf",received_via="api"} 10.0
order_ledger_order_to_posting_seconds_count{received_via="api"} 10.0
order_ledger_order_to_posting_seconds_sum{received_via="api"} 42.0
order_ledger_order_to_posting_seconds_bucket{le="1.0",received_via="nats"} 0.0
order_ledger_order_to_posting_seconds_bucket{le="+Inf",received_via="nats"} 0.0
order_ledger_order_to_posting_seconds_count{received_via="nats"} 0.0
order_ledger_order_to_posting_seconds_sum{received_via="nats"} 0.0
"""


def test_latency_per_channel_with_percentiles_interpolated_within_buckets() -> None:
    [api] = latency_by_channel(LEDGER_METRICS)  # nothing posted via nats: left out
    assert (api.received_via, api.count, api.mean_s) == ("api", 10, 4.2)
    assert (api.p50_s, api.p95_s) == (1.0 + 4.0 * (5 - 2) / 4, 5.0 + 5.0 * (9.5 - 6) / 4)
    assert [(b.upper_bound_s, b.count) for b in api.buckets] == [(1.0, 2), (5.0, 4), (10.0, 4), (None, 0)]


def test_a_quantile_in_the_open_bucket_answers_its_lower_bound() -> None:
    assert quantile(0.99, [(1.0, 1.0), (float("inf"), 10.0)]) == 1.0
    assert quantile(0.5, []) is None


def test_drift_worst_node_first_and_overall_rate_over_all_lines() -> None:
    summary = drift_summary(
        [
            {"node": "S1", "lines": 3, "lines_with_drift": 0, "rate": 0.0, "units": 0, "value": None},
            {"node": "DC", "lines": 1, "lines_with_drift": 1, "rate": 1.0, "units": 3, "value": None},
        ]
    )
    assert ([n.node for n in summary.nodes], summary.lines, summary.lines_with_drift, summary.rate) == (
        ["DC", "S1"],
        4,
        1,
        0.25,
    )
    assert drift_summary([]).rate == 0.0


def test_readiness_totals_unreconciled_per_currency() -> None:
    report = {
        "legal_entity_id": "LE-NL",
        "period_id": "2026-03",
        "ready": False,
        "remaining": 3,
        "open_exceptions": 2,
        "timing_differences": 1,
        "unreconciled_by_channel": [
            {"channel_id": "WEB", "currency": "EUR", "count": 2, "amount_minor": 2500},
            {"channel_id": "POS", "currency": "EUR", "count": 1, "amount_minor": 900},
            {"channel_id": "US", "currency": "USD", "count": 1, "amount_minor": 100},
        ],
        "cutoff": {"cutoff_at": "2026-04-03T00:00:00Z", "passed": False},
    }
    row = readiness_row(report, "Retail NL")
    assert [(u.currency, u.count, u.amount_minor) for u in row.unreconciled] == [
        ("EUR", 3, 3400),
        ("USD", 1, 100),
    ]
    assert (row.name, row.ready, row.remaining, row.cutoff_passed) == ("Retail NL", False, 3, False)


def test_trace_keeps_the_exceptions_that_name_one_of_the_orders_references() -> None:
    trace = {
        "order_id": "O-1",
        "transactions": [
            {"transaction": {"document_id": "D-1", "legal_entity_id": "LE-NL",
                             "tenders": [{"processor_reference": "PSP-1"}, {"processor_reference": None}]}}
        ],
        "entries": [{"document_id": "D-1", "legal_entity_id": "LE-NL", "lines": []}],
    }  # fmt: skip
    view = order_trace(trace, [{"reference": "PSP-1", "exception_id": "x"}, {"reference": "PSP-9"}])
    assert (view.references, view.legal_entities) == (["D-1", "O-1", "PSP-1"], ["LE-NL"])
    assert view.exceptions == [{"reference": "PSP-1", "exception_id": "x"}]
    assert (view.settlement_matches, view.bank_receipts) == ([], [])


def test_consumer_lag_largest_first_and_outbox_backlog_per_service() -> None:
    expositions = {
        "recon": 'messaging_consumer_lag{consumer="recon_ledger"} 7.0\nmessaging_outbox_backlog 2.0\n',
        "ledger": 'messaging_consumer_lag{consumer="ledger_sales"} 0.0\n',
    }
    assert [(c.service, c.consumer, c.lag) for c in consumer_lags(expositions)] == [
        ("recon", "recon_ledger", 7),
        ("ledger", "ledger_sales", 0),
    ]
    assert outbox_backlogs(expositions) == {"ledger": 0, "recon": 2}


def test_operations_are_read_from_openapi_and_paths_filled_in_encoded() -> None:
    operations = operations_of(
        {
            "paths": {
                "/v1/recon/exceptions/{exception_id}": {
                    "get": {"operationId": "GetReconException"},
                    "parameters": [],
                },
                "/v1/x": {"post": {"summary": "no id"}},
            }
        }
    )
    assert list(operations) == ["GetReconException"]
    operation = operations["GetReconException"]
    assert (operation.method, operation.path(exception_id="a/b c")) == (
        "GET",
        "/v1/recon/exceptions/a%2Fb%20c",
    )
