"""Close readiness of one legal entity and period as one JSON document, and read-model counts.

What remains: open exceptions (any status but resolved) and timing differences (sales not yet
settled, payouts not yet in the bank, whose windows are still open), by channel and currency;
exception ageing; and the cut-off with the late files it moved in and out of the period."""

from __future__ import annotations

STATUS = """SELECT (SELECT count(*) FROM tender_lines) AS tender_lines,
                   (SELECT count(*) FROM ledger_documents) AS ledger_entries,
                   (SELECT count(*) FROM sales_documents) AS sales_documents,
                   (SELECT count(*) FROM return_dispositions) AS return_dispositions,
                   (SELECT count(*) FROM recon_files) AS files,
                   (SELECT count(*) FROM settlement_lines) AS settlement_lines,
                   (SELECT count(*) FROM bank_lines) AS bank_lines,
                   (SELECT count(*) FROM recon_exceptions WHERE status <> 'resolved') AS open_exceptions"""

CLOSE_READINESS = """
WITH open_exceptions AS (
    SELECT * FROM recon_exceptions
     WHERE legal_entity_id = :entity AND period_id = :period AND status <> 'resolved'
), unsettled AS (
    SELECT t.processor, t.processor_reference, t.direction, min(t.channel_id) AS channel_id,
           min(t.currency) AS currency, sum(t.amount_minor) AS amount, min(t.business_date) AS business_date
      FROM tender_lines t
     WHERE t.legal_entity_id = :entity AND t.period_id = :period
       AND NOT EXISTS (SELECT 1 FROM settlement_matches m WHERE m.processor = t.processor
                         AND m.direction = t.direction AND m.ledger_reference = t.processor_reference)
     GROUP BY t.processor, t.processor_reference, t.direction
), timing AS (
    SELECT channel_id, currency, amount, 'sale_not_settled' AS kind, business_date FROM unsettled u
     WHERE u.business_date + CAST(:settlement_window_days AS int) >= CAST(:now AS timestamptz)::date
       AND NOT EXISTS (SELECT 1 FROM open_exceptions e WHERE e.exception_type = 'missing_in_settlement'
                         AND e.reference = u.processor_reference)
    UNION ALL
    SELECT p.channel_id, p.net_currency, -p.net_minor, 'payout_not_in_bank', p.business_date
      FROM settlement_lines p
     WHERE p.legal_entity_id = :entity AND p.period_id = :period AND p.record_type = 'payout'
       AND p.business_date + CAST(:payout_window_days AS int) >= CAST(:now AS timestamptz)::date
       AND NOT EXISTS (SELECT 1 FROM payout_links l WHERE l.payout_file_id = p.file_id AND l.payout_line =
           p.line_number)
), items AS (
    SELECT coalesce(channel_id, 'unassigned') AS channel_id, coalesce(currency, '') AS currency,
           1 AS exceptions, coalesce(amount_minor, 0) AS exception_amount, 0 AS timing, 0 AS timing_amount
      FROM open_exceptions
    UNION ALL
    SELECT coalesce(channel_id, 'unassigned'), currency, 0, 0, 1, amount FROM timing
), by_channel AS (
    SELECT channel_id, currency, sum(exceptions + timing) AS count, sum(exception_amount + timing_amount) AS
        amount_minor,
           sum(exceptions) AS exceptions, sum(exception_amount) AS exceptions_amount_minor,
           sum(timing) AS timing_differences, sum(timing_amount) AS timing_amount_minor
      FROM items GROUP BY channel_id, currency
), ageing AS (
    SELECT CASE WHEN age <= 1 THEN '0-1d' WHEN age <= 7 THEN '2-7d' WHEN age <= 30 THEN '8-30d' ELSE '31d+'
        END AS bucket,
           coalesce(currency, '') AS currency, count(*) AS count, sum(coalesce(amount_minor, 0)) AS
               amount_minor
      FROM (SELECT *, extract(day FROM CAST(:now AS timestamptz) - opened_at)::int AS age FROM
          open_exceptions) aged
     GROUP BY 1, 2
), by_type AS (
    SELECT exception_type, status, count(*) AS count, sum(coalesce(amount_minor, 0)) AS amount_minor
      FROM open_exceptions GROUP BY exception_type, status
), late_in AS (
    SELECT file_id, filename, kind, report_id, business_date, received_at FROM recon_files
     WHERE legal_entity_id = :entity AND period_id = :period AND late
), late_out AS (
    SELECT file_id, filename, kind, report_id, business_date, received_at, period_id FROM recon_files
     WHERE legal_entity_id = :entity AND period_id <> :period AND late
       AND business_date BETWEEN CAST(:start AS date) AND CAST(:end AS date)
)
SELECT jsonb_build_object(
    'legal_entity_id', CAST(:entity AS text), 'period_id', CAST(:period AS text), 'as_of', CAST(:now AS
        timestamptz),
    'remaining', (SELECT count(*) FROM items),
    'open_exceptions', (SELECT count(*) FROM open_exceptions),
    'timing_differences', (SELECT count(*) FROM timing),
    'unreconciled_by_channel', coalesce((SELECT jsonb_agg(to_jsonb(b) ORDER BY channel_id, currency) FROM
        by_channel b), '[]'),
    'exceptions_by_type', coalesce((SELECT jsonb_agg(to_jsonb(t) ORDER BY exception_type, status) FROM
        by_type t), '[]'),
    'exception_ageing', coalesce((SELECT jsonb_agg(to_jsonb(a) ORDER BY bucket, currency) FROM ageing a),
        '[]'),
    'cutoff', jsonb_build_object('cutoff_at', CAST(:cutoff AS timestamptz),
        'passed', CAST(:now AS timestamptz) > CAST(:cutoff AS timestamptz),
        'late_files_in', coalesce((SELECT jsonb_agg(to_jsonb(i)) FROM late_in i), '[]'),
        'late_files_out', coalesce((SELECT jsonb_agg(to_jsonb(o)) FROM late_out o), '[]')))"""
