"""Business metrics of the order ledger (prometheus default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ORDER_TO_POSTING_SECONDS = Histogram(
    "order_ledger_order_to_posting_seconds",
    "Time from a sales transaction's occurrence to its journal entry being posted, by channel of receipt",
    ["received_via"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400),
)
TRANSACTIONS = Counter(
    "order_ledger_transactions_total",
    "Sales transactions received, by channel of receipt and outcome",
    ["received_via", "outcome"],
)
ERP_BATCHES = Counter(
    "order_ledger_erp_export_attempts_total", "ERP export batch deliveries, by result", ["result"]
)
