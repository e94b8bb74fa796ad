"""Control 2, cash side, as set-based SQL: payouts tied to bank receipts.

Pass 1, by reference (the payout's reference appears in the receipt's reference or text): a payout
whose receipts are its own and add up to it (one-to-one, one-to-many), or a receipt whose payouts
are its own and add up to it (many-to-one). Pass 2, by amount: the payouts of one processor, currency
and day that add up to exactly one receipt booked within the window (many-to-one, or one-to-one).
A payout not in the bank once its window closed is an exception, and so is an Adyen payout that is
not its batch's net."""

from __future__ import annotations

OPEN = [
    "DROP TABLE IF EXISTS open_payouts, open_receipts, payout_candidates",
    """CREATE TEMP TABLE open_payouts ON COMMIT DROP AS
       SELECT file_id, line_number, processor, payout_reference AS ref, net_currency AS currency,
              -net_minor AS amount, business_date, period_id, channel_id, report_id, payout_id
         FROM settlement_lines sl
        WHERE legal_entity_id = :entity AND record_type = 'payout' AND net_minor IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM payout_links l WHERE l.payout_file_id = sl.file_id
                            AND l.payout_line = sl.line_number)""",
    """CREATE TEMP TABLE open_receipts ON COMMIT DROP AS
       SELECT file_id, line_number, currency, amount_minor AS amount, booked_on,
              coalesce(reference, '') || ' ' || description AS remittance
         FROM bank_lines b
        WHERE legal_entity_id = :entity AND amount_minor > 0
          AND NOT EXISTS (SELECT 1 FROM payout_links l WHERE l.bank_file_id = b.file_id
                            AND l.bank_line = b.line_number)""",
    """CREATE TEMP TABLE payout_candidates ON COMMIT DROP AS
       SELECT p.file_id AS p_file, p.line_number AS p_line, p.amount AS p_amount,
              r.file_id AS r_file, r.line_number AS r_line, r.amount AS r_amount,
              count(*) OVER (PARTITION BY p.file_id, p.line_number) AS receipts_of_payout,
              count(*) OVER (PARTITION BY r.file_id, r.line_number) AS payouts_of_receipt,
              sum(r.amount) OVER (PARTITION BY p.file_id, p.line_number) AS receipts_total,
              sum(p.amount) OVER (PARTITION BY r.file_id, r.line_number) AS payouts_total
         FROM open_payouts p
         JOIN open_receipts r ON r.currency = p.currency AND length(p.ref) >= 4
          AND strpos(r.remittance, p.ref) > 0
          AND r.booked_on BETWEEN p.business_date - 1
                              AND p.business_date + CAST(:payout_window_days AS int)""",
    "ANALYZE open_payouts",
    "ANALYZE open_receipts",
]

_LINK = """INSERT INTO payout_links (payout_file_id, payout_line, bank_file_id, bank_line, legal_entity_id,
                                  rule, shape, run_id, linked_at)"""

BY_REFERENCE = [
    f"""{_LINK}
    SELECT c.p_file, c.p_line, c.r_file, c.r_line, :entity, 'reference',
           CASE WHEN c.receipts_of_payout = 1 THEN 'one_to_one' ELSE 'one_to_many' END, :run, :now
      FROM payout_candidates c
     WHERE c.receipts_total = c.p_amount
       AND NOT EXISTS (SELECT 1 FROM payout_candidates o WHERE o.r_file = c.r_file AND o.r_line = c.r_line
                         AND (o.p_file, o.p_line) <> (c.p_file, c.p_line))
    ON CONFLICT DO NOTHING""",
    f"""{_LINK}
    SELECT c.p_file, c.p_line, c.r_file, c.r_line, :entity, 'reference', 'many_to_one', :run, :now
      FROM payout_candidates c
     WHERE c.payouts_of_receipt > 1 AND c.payouts_total = c.r_amount
       AND NOT EXISTS (SELECT 1 FROM payout_candidates o WHERE o.p_file = c.p_file AND o.p_line = c.p_line
                         AND (o.r_file, o.r_line) <> (c.r_file, c.r_line))
    ON CONFLICT DO NOTHING""",
]

BY_AMOUNT = f"""
WITH still_open AS (
    SELECT p.* FROM open_payouts p
     WHERE NOT EXISTS (SELECT 1 FROM payout_links l WHERE l.payout_file_id = p.file_id AND l.payout_line =
         p.line_number)
), day_groups AS (
    SELECT processor, currency, business_date, sum(amount) AS total, count(*) AS payouts
      FROM still_open GROUP BY processor, currency, business_date
), receipts AS (
    SELECT r.* FROM open_receipts r
     WHERE NOT EXISTS (SELECT 1 FROM payout_links l WHERE l.bank_file_id = r.file_id AND l.bank_line =
         r.line_number)
), pairs AS (
    SELECT g.processor, g.currency, g.business_date, g.payouts, r.file_id AS r_file, r.line_number AS r_line,
           count(*) OVER (PARTITION BY g.processor, g.currency, g.business_date) AS receipts_for_group,
           count(*) OVER (PARTITION BY r.file_id, r.line_number) AS groups_for_receipt
      FROM day_groups g
      JOIN receipts r ON r.currency = g.currency AND r.amount = g.total
       AND r.booked_on BETWEEN g.business_date AND g.business_date + CAST(:payout_window_days AS int)
)
{_LINK}
SELECT p.file_id, p.line_number, pairs.r_file, pairs.r_line, :entity, 'amount',
       CASE WHEN pairs.payouts = 1 THEN 'one_to_one' ELSE 'many_to_one' END, :run, :now
  FROM pairs JOIN still_open p ON p.processor = pairs.processor AND p.currency = pairs.currency
                              AND p.business_date = pairs.business_date
 WHERE pairs.receipts_for_group = 1 AND pairs.groups_for_receipt = 1
ON CONFLICT DO NOTHING"""

EXCEPTIONS = """
INSERT INTO found_exceptions (exception_id, exception_type, control, legal_entity_id, period_id, channel_id,
                              business_date, currency, amount_minor, reference, evidence)
SELECT md5(concat_ws('|', 'payout_not_in_bank', p.file_id, p.line_number))::uuid::text, 'payout_not_in_bank',
       'payment_settlement', :entity, p.period_id, p.channel_id, p.business_date, p.currency, p.amount, p.ref,
       json_build_object('processor', p.processor, 'report_id', p.report_id, 'payout_id', p.payout_id,
           'settlement', json_build_array(json_build_object('file_id', p.file_id, 'line_number',
               p.line_number,
               'amount_minor', p.amount, 'currency', p.currency, 'reference', p.ref)),
           'bank', '[]'::json)::jsonb
  FROM open_payouts p
 WHERE p.business_date + CAST(:payout_window_days AS int) < CAST(:as_of_date AS date)
   AND NOT EXISTS (SELECT 1 FROM payout_links l
                    WHERE l.payout_file_id = p.file_id AND l.payout_line = p.line_number)"""

# An Adyen batch is paid out as one MerchantPayout: its amount must be the batch's net (every other line
# of the batch in the same file, in the payout's currency). A difference is an exception, with the
# payout line and the batch's net per record type as evidence. Batches whose lines are not in the
# payout's file are not judged.
BATCH_NET = """
WITH payouts AS (
    SELECT p.* FROM settlement_lines p
     WHERE p.legal_entity_id = :entity AND p.record_type = 'payout' AND p.processor = 'adyen'
       AND p.net_minor IS NOT NULL AND p.payout_id IS NOT NULL
), batch_types AS (
    SELECT x.file_id, x.payout_id, x.net_currency, x.record_type, sum(coalesce(x.net_minor, 0)) AS net,
           count(*) AS lines
      FROM settlement_lines x
      JOIN (SELECT DISTINCT file_id, payout_id, net_currency FROM payouts) k
        ON k.file_id = x.file_id AND k.payout_id = x.payout_id AND k.net_currency = x.net_currency
     WHERE x.record_type <> 'payout'
     GROUP BY x.file_id, x.payout_id, x.net_currency, x.record_type
), batches AS (
    SELECT file_id, payout_id, net_currency, sum(net)::bigint AS net, sum(lines)::bigint AS lines,
           json_object_agg(record_type, json_build_object('net_minor', net, 'lines', lines)) AS by_type
      FROM batch_types GROUP BY file_id, payout_id, net_currency
)
INSERT INTO found_exceptions (exception_id, exception_type, control, legal_entity_id, period_id, channel_id,
                              business_date, currency, amount_minor, reference, evidence)
SELECT md5(concat_ws('|', 'payout_batch_mismatch', p.file_id, p.line_number))::uuid::text,
       'payout_batch_mismatch', 'payment_settlement', :entity, p.period_id, p.channel_id, p.business_date,
       p.net_currency, -p.net_minor - b.net, coalesce(p.payout_reference, p.processor_reference),
       json_build_object('processor', p.processor, 'report_id', p.report_id, 'payout_id', p.payout_id,
           'payout_minor', -p.net_minor, 'batch_net_minor', b.net, 'batch_lines', b.lines,
           'batch_by_record_type', b.by_type,
           'settlement', json_build_array(json_build_object('file_id', p.file_id, 'line_number',
               p.line_number, 'record_type', p.record_type, 'net_minor', p.net_minor, 'currency',
               p.net_currency, 'reference', p.processor_reference)),
           'bank', '[]'::json)::jsonb
  FROM payouts p
  JOIN batches b ON b.file_id = p.file_id AND b.payout_id = p.payout_id AND b.net_currency = p.net_currency
 WHERE -p.net_minor <> b.net"""
