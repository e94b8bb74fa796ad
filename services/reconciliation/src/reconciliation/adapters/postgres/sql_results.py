"""Variances of newly taken settlement files, and the merge of found exceptions into the workflow.

Variances are summed per report, business day, kind, currency and channel (one posting each, not one
per line). A line whose gross is in another currency than its net (Adyen settling a USD sale in EUR)
was converted by the processor: besides its fee it carries a currency-conversion variance in two
legs, the gross leaving the gross currency's clearing (+gross) and what it became arriving in the net
currency (-(net + fee)), exactly as PayPal reports a conversion in two lines; the ledger posts each
leg against the clearing account of its currency, and the FX account holds the difference. Variance
ids are hashes of that key, so a re-run finds them already there. The minimums over a
report's lines compare bytes (COLLATE "C": the same order as the database's C.UTF-8, without a
strcoll call per line). Found exceptions are inserted once (open, audited); an open or assigned
exception that a run no longer finds (the missing sale arrived, the payout reached the bank) is
resolved by the system, audited too."""

from __future__ import annotations

FOUND_TABLE = [
    "DROP TABLE IF EXISTS found_exceptions",
    """CREATE TEMP TABLE found_exceptions (
        exception_id text PRIMARY KEY, exception_type text NOT NULL, control text NOT NULL,
        legal_entity_id text NOT NULL, period_id text NOT NULL, channel_id text, business_date date,
        currency text, amount_minor bigint, reference text, evidence jsonb NOT NULL) ON COMMIT DROP""",
]

# The files are the run's own (`run_files`, fixed when the run starts): a file taken meanwhile gets its
# variances from the next run, which also matches its lines first.
# `converted` reads the file's lines again instead of sharing `lines`: a CTE read twice is materialised
# (a million rows written out), while this branch reads only converted lines, through their partial index.
VARIANCES = """
WITH pending AS (
    SELECT file_id FROM run_files
), lines AS (
    SELECT sl.processor, sl.report_id, sl.business_date, sl.net_currency, sl.period_id, sl.file_id,
           sl.processor_reference, sl.fee_minor, sl.net_minor,
           coalesce(m.channel_id, sl.channel_id) AS channel_id,
           array_position(CAST(:rule_keys AS text[]), sl.processor || '|' || sl.record_type) AS rule
      FROM settlement_lines sl
      JOIN pending USING (file_id)
      LEFT JOIN settlement_matches m ON m.processor = sl.processor AND m.direction = sl.direction
                                    AND m.settlement_reference = sl.processor_reference
), converted AS (
    SELECT sl.processor, sl.report_id, sl.business_date, sl.period_id, sl.file_id, sl.processor_reference,
           coalesce(m.channel_id, sl.channel_id) AS channel_id, leg.currency, leg.amount
      FROM settlement_lines sl
      JOIN pending USING (file_id)
      LEFT JOIN settlement_matches m ON m.processor = sl.processor AND m.direction = sl.direction
                                    AND m.settlement_reference = sl.processor_reference
     CROSS JOIN LATERAL (VALUES (sl.currency, sl.gross_minor),
                                (sl.net_currency, -(coalesce(sl.net_minor, 0) + sl.fee_minor)))
           AS leg (currency, amount)
     WHERE sl.currency <> sl.net_currency AND sl.gross_minor IS NOT NULL
), typed AS (
    SELECT processor, report_id, business_date, net_currency, period_id, file_id, processor_reference,
           channel_id, (CAST(:rule_kinds AS text[]))[rule] AS kind,
           CASE (CAST(:rule_bases AS text[]))[rule] WHEN 'fee' THEN fee_minor ELSE -coalesce(net_minor, 0)
           END AS amount
      FROM lines WHERE rule IS NOT NULL
    UNION ALL
    SELECT processor, report_id, business_date, currency, period_id, file_id, processor_reference, channel_id,
           'currency_conversion', amount
      FROM converted
), grouped AS (
    SELECT md5(concat_ws('|', 'variance', processor, report_id, business_date, kind, net_currency,
                         coalesce(channel_id, '')))::uuid::text AS variance_id,
           kind, min(period_id COLLATE "C") AS period_id, processor, report_id,
           min(file_id COLLATE "C") AS file_id, business_date, net_currency, sum(amount) AS amount,
           channel_id,
           CASE WHEN count(*) = 1 THEN min(processor_reference COLLATE "C") END AS processor_reference,
           count(*) AS line_count
      FROM typed WHERE amount <> 0
     GROUP BY processor, report_id, business_date, kind, net_currency, channel_id
), stored AS (
    INSERT INTO recon_variances (variance_id, kind, legal_entity_id, period_id, processor, report_id, file_id,
                                 business_date, currency, amount_minor, channel_id, processor_reference,
                                 line_count, run_id, created_at)
    SELECT variance_id, kind, :entity, period_id, processor, report_id, file_id, business_date, net_currency,
           amount, channel_id, processor_reference, line_count, :run, :now
      FROM grouped WHERE amount <> 0
    ON CONFLICT DO NOTHING
    RETURNING *
), done AS (
    UPDATE recon_files SET variances_done = true WHERE file_id IN (SELECT file_id FROM pending)
)
SELECT * FROM stored"""

RAISE_NEW = """
WITH inserted AS (
    INSERT INTO recon_exceptions (exception_id, exception_type, control, legal_entity_id, period_id,
        channel_id,
                                  business_date, currency, amount_minor, reference, evidence, status,
                                  opened_at, step, run_id)
    SELECT exception_id, exception_type, control, legal_entity_id, period_id, channel_id, business_date,
           currency, amount_minor, reference, evidence, 'open', :now, 1, :run
      FROM found_exceptions
    ON CONFLICT (exception_id) DO NOTHING
    RETURNING exception_id, exception_type, control, legal_entity_id, period_id, channel_id, business_date,
              currency, amount_minor, reference
), audited AS (
    INSERT INTO recon_exception_audit (exception_id, step, action, from_status, to_status, actor, at, details)
    SELECT exception_id, 1, 'opened', NULL, 'open', 'system', :now,
           jsonb_build_object('run_id', CAST(:run AS text), 'exception_type', exception_type)
      FROM inserted
)
SELECT * FROM inserted"""

AUTO_RESOLVE = """
WITH cleared AS (
    SELECT exception_id, status AS from_status, step FROM recon_exceptions e
     WHERE e.legal_entity_id = :entity AND e.status IN ('open', 'assigned')
       AND NOT EXISTS (SELECT 1 FROM found_exceptions f WHERE f.exception_id = e.exception_id)
     FOR UPDATE
), resolved AS (
    UPDATE recon_exceptions e SET status = 'resolved', resolved_at = :now, resolved_by = 'system',
                                  reason_code = 'cleared', step = cleared.step + 1
      FROM cleared WHERE e.exception_id = cleared.exception_id
    RETURNING e.exception_id, e.step, cleared.from_status
), audited AS (
    INSERT INTO recon_exception_audit (exception_id, step, action, from_status, to_status, actor, at, details)
    SELECT exception_id, step, 'auto_resolved', from_status, 'resolved', 'system', :now,
           jsonb_build_object('run_id', CAST(:run AS text), 'reason', 'no longer found by the controls')
      FROM resolved
)
SELECT * FROM resolved"""

OPEN_COUNT = (
    """SELECT count(*) FROM recon_exceptions WHERE legal_entity_id = :entity AND status <> 'resolved'"""
)
