"""Control 2, settlement side, as set-based SQL: reference matches, then amount/date matches, then
the exceptions (missing in the ledger, missing in the settlement once its window closed, amount
mismatches, chargebacks). Parameters: :entity, :run, :now, CAST(:as_of_date AS date) and the tolerances."""

from __future__ import annotations

_SETTLEMENT_COLUMNS = "processor, direction, processor_reference, currency, gross_minor, business_date, " + (
    "period_id, channel_id, report_id, legal_entity_id"
)

# Where a run reads the settlement side from. Whole: every line the entity ever had (an entity's first
# run, which has no open items yet). New or open (migration 0006): the lines of the files this run
# takes and the lines of the groups the previous run left open (recon_open_settlement), each line
# once. The ledger side is read whole: tender entries carry no mark of which run has seen them.
_WHOLE_SETTLEMENT = "settlement_lines"
_NEW_OR_OPEN_SETTLEMENT = f"""(
    SELECT {_SETTLEMENT_COLUMNS} FROM settlement_lines WHERE file_id IN (SELECT file_id FROM run_files)
    UNION ALL
    SELECT {", ".join(f"x.{c}" for c in _SETTLEMENT_COLUMNS.split(", "))}
      FROM recon_open_settlement o
      JOIN settlement_lines x ON x.processor_reference = o.reference AND x.processor = o.processor
                             AND x.direction = o.direction
     WHERE o.legal_entity_id = :entity AND x.file_id NOT IN (SELECT file_id FROM run_files))"""


def _open_settlement(source: str) -> str:
    return f"""
    SELECT processor, direction, processor_reference AS ref, min(currency) AS currency,
           sum(gross_minor) AS amount, min(business_date) AS business_date, min(period_id) AS period_id,
           min(channel_id) AS channel_id, min(report_id) AS report_id
      FROM {source} sl
     WHERE legal_entity_id = :entity AND direction IS NOT NULL AND gross_minor IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM settlement_matches m WHERE m.processor = sl.processor
                         AND m.direction = sl.direction AND m.settlement_reference = sl.processor_reference)
     GROUP BY processor_reference, processor, direction"""


_OPEN_LEDGER = """
    SELECT processor, direction, processor_reference AS ref, min(currency) AS currency,
           sum(amount_minor) AS amount, min(business_date) AS business_date, min(period_id) AS period_id,
           min(channel_id) AS channel_id
      FROM tender_lines tl
     WHERE legal_entity_id = :entity
       AND NOT EXISTS (SELECT 1 FROM settlement_matches m WHERE m.processor = tl.processor
                         AND m.direction = tl.direction AND m.ledger_reference = tl.processor_reference)
     GROUP BY processor_reference, processor, direction"""


_OPEN_COLUMNS = """processor text COLLATE "C" NOT NULL, direction smallint NOT NULL,
    ref text COLLATE "C" NOT NULL, currency text,
    amount bigint, business_date date, period_id text, channel_id text"""

# The open sides are made by the reference match itself (what it left unpaired), not by reading
# both sides a second time.
OPEN_SIDES = [
    "DROP TABLE IF EXISTS open_settlement, open_ledger, run_files",
    # The settlement files this run takes (their variances too), fixed before anything is read: a file
    # taken while the run is under way waits for the next run instead of being half seen.
    """CREATE TEMP TABLE run_files ON COMMIT DROP AS
       SELECT file_id FROM recon_files
        WHERE legal_entity_id = :entity AND kind = 'settlement' AND NOT variances_done""",
    "ANALYZE run_files",
    f"CREATE TEMP TABLE open_settlement ({_OPEN_COLUMNS}, report_id text) ON COMMIT DROP",
    f"CREATE TEMP TABLE open_ledger ({_OPEN_COLUMNS}) ON COMMIT DROP",
]

# One pass over each side: the open settlement and ledger groups, fully joined by reference; pairs
# in the same currency become matches, the rest (either side alone, or in another currency) the open
# sides. The currency is compared after the join, not in it, so the join's keys are exactly the order
# the groups come out in and neither side is sorted again. Both sides exclude what is already
# matched on either unique key and runs of an entity are serialised, so no pair can conflict: a
# plain INSERT (no ON CONFLICT), in reference order, the key order of both unique indexes (migration
# 0005), which keeps index inserts local.
# The plan is sorts and merges (REFERENCE_MATCH_PLAN): each side sorted once by reference (bytewise,
# on abbreviated keys: migration 0004), grouped in that order and merge-joined, so the pairs come out
# in the order the matches are inserted in and are inserted as they come (an ORDER BY here sorted
# the million pairs again: about the same CPU, but 0.9-1.7 s more wall time at 1M lines). Hashing both sides
# instead leaves the pairs in hash order, and sorting a million wide pairs before the insert cost
# more than the rest of the join.
_SIDE = ["processor", "direction", "ref", "currency", "amount", "business_date", "period_id", "channel_id"]
_PAIR_COLUMNS = ", ".join(
    [*(f"s.{c} AS s_{c}" for c in [*_SIDE, "report_id"]), *(f"t.{c} AS t_{c}" for c in _SIDE)]
)


def _reference_match(settlement: str) -> str:
    return f"""
WITH pairs AS MATERIALIZED (
    SELECT {_PAIR_COLUMNS}
      FROM ({_open_settlement(settlement)}) s
      FULL JOIN ({_OPEN_LEDGER}) t ON t.ref = s.ref AND t.processor = s.processor
                                 AND t.direction = s.direction
), matched AS (
    INSERT INTO settlement_matches (processor, direction, settlement_reference, ledger_reference,
                                    legal_entity_id, currency, rule, settlement_minor, ledger_minor,
                                    channel_id, business_date, run_id, matched_at)
    SELECT s_processor, s_direction, s_ref, t_ref, :entity, s_currency, 'reference', s_amount, t_amount,
           t_channel_id, t_business_date, :run, :now
      FROM pairs WHERE s_currency = t_currency
    RETURNING 1
), open_settled AS (
    INSERT INTO open_settlement SELECT {", ".join(f"s_{c}" for c in [*_SIDE, "report_id"])}
      FROM pairs WHERE s_ref IS NOT NULL AND (t_ref IS NULL OR t_currency <> s_currency)
), open_ledger_side AS (
    INSERT INTO open_ledger SELECT {", ".join(f"t_{c}" for c in _SIDE)} FROM pairs
     WHERE t_ref IS NOT NULL AND (s_ref IS NULL OR s_currency <> t_currency)
)
SELECT count(*) FROM matched"""


REFERENCE_MATCH = _reference_match(_WHOLE_SETTLEMENT)
REFERENCE_MATCH_OPEN_ITEMS = _reference_match(_NEW_OR_OPEN_SETTLEMENT)

# Whether the entity's open settlement groups are kept (else this run reads the settlement side whole).
MATCH_STATE = "SELECT EXISTS (SELECT 1 FROM recon_match_state WHERE legal_entity_id = :entity) AS kept"

# What the run leaves open on the settlement side (after the amount/date rounds) is what the next run
# reads besides the new files: the entity's open groups are replaced by this run's (only the
# difference is written).
KEEP_OPEN = [
    """DELETE FROM recon_open_settlement o
        WHERE o.legal_entity_id = :entity
          AND NOT EXISTS (SELECT 1 FROM open_settlement s WHERE s.ref = o.reference
                            AND s.processor = o.processor AND s.direction = o.direction)""",
    """INSERT INTO recon_open_settlement (legal_entity_id, processor, direction, reference)
       SELECT :entity, processor, direction, ref FROM open_settlement
       ON CONFLICT DO NOTHING""",
    """INSERT INTO recon_match_state (legal_entity_id, run_id) VALUES (:entity, :run)
       ON CONFLICT (legal_entity_id) DO UPDATE SET run_id = excluded.run_id""",
]

# For the reference match only; afterwards the planner's hashing is back to the server's own setting.
_HASHING = ["enable_hashagg", "enable_hashjoin"]
REFERENCE_MATCH_PLAN = [f"SET LOCAL {setting} = off" for setting in _HASHING]
AFTER_REFERENCE_MATCH = [f"RESET {setting}" for setting in _HASHING]

# The amount/date rounds look up each open settlement group's ledger candidates by amount range:
# through this index (a lateral index scan), never by comparing every open pair.
ANALYZE_OPEN = [
    "CREATE INDEX ON open_ledger (processor, direction, currency, amount)",
    "ANALYZE settlement_matches",
    "ANALYZE open_settlement",
    "ANALYZE open_ledger",
]

# One round pairs each open settlement group with its best open ledger group (closest amount, then
# date) when each is the other's best: 1:1 by construction. A few rounds settle the runners-up.
AMOUNT_DATE_ROUND = """
WITH pairs AS (
    SELECT s.processor, s.direction, s.ref AS sref, t.ref AS tref, s.currency, s.amount AS samount,
           t.amount AS tamount, t.channel_id, t.business_date,
           row_number() OVER (PARTITION BY s.processor, s.direction, s.ref
                              ORDER BY abs(s.amount - t.amount), abs(s.business_date - t.business_date),
                                  t.ref) AS s_rank,
           row_number() OVER (PARTITION BY t.processor, t.direction, t.ref
                              ORDER BY abs(s.amount - t.amount), abs(s.business_date - t.business_date),
                                  s.ref) AS t_rank
      FROM open_settlement s
      JOIN LATERAL (
          SELECT * FROM open_ledger t
           WHERE t.processor = s.processor AND t.direction = s.direction AND t.currency = s.currency
             AND t.amount BETWEEN s.amount - CAST(:amount_tolerance AS bigint)
                              AND s.amount + CAST(:amount_tolerance AS bigint)
             AND t.business_date BETWEEN s.business_date - CAST(:date_days AS int)
                                     AND s.business_date + CAST(:date_days AS int)) t ON true
), taken AS (
    INSERT INTO settlement_matches (processor, direction, settlement_reference, ledger_reference,
        legal_entity_id,
                                    currency, rule, settlement_minor, ledger_minor, channel_id, business_date,
                                    run_id, matched_at)
    SELECT processor, direction, sref, tref, :entity, currency, 'amount_date', samount, tamount, channel_id,
           business_date, :run, :now
      FROM pairs WHERE s_rank = 1 AND t_rank = 1
    ON CONFLICT DO NOTHING
    RETURNING processor, direction, settlement_reference, ledger_reference
), gone_s AS (
    DELETE FROM open_settlement s USING taken
     WHERE s.processor = taken.processor AND s.direction = taken.direction AND s.ref =
         taken.settlement_reference
)
DELETE FROM open_ledger t USING taken
 WHERE t.processor = taken.processor AND t.direction = taken.direction AND t.ref = taken.ledger_reference
RETURNING 1"""

_SETTLEMENT_EVIDENCE = """(SELECT json_agg(json_build_object(
        'file_id', x.file_id, 'line_number', x.line_number,
        'record_type', x.record_type, 'raw_type', x.raw_type, 'booked_at', x.booked_at, 'currency',
            x.currency,
        'gross_minor', x.gross_minor, 'net_minor', x.net_minor, 'fee_minor', x.fee_minor,
        'report_id', x.report_id, 'raw', recon_raw_fields(x.raw, x.raw_line, x.file_id))
        ORDER BY x.file_id, x.line_number)
   FROM settlement_lines x WHERE x.processor = {p} AND x.processor_reference = {ref} {extra})"""
_LEDGER_EVIDENCE = """(SELECT json_agg(json_build_object('entry_id', y.entry_id, 'line_index', y.line_index,
        'document_id', y.document_id, 'order_id', y.order_id, 'business_date', y.business_date,
        'currency', y.currency, 'amount_minor', y.amount_minor, 'channel_id', y.channel_id,
        'tender_kind', y.tender_kind) ORDER BY y.entry_id, y.line_index)
   FROM tender_lines y WHERE y.processor = {p} AND y.processor_reference = {ref} {extra})"""


def settlement_evidence(p: str, ref: str, extra: str = "") -> str:
    return _SETTLEMENT_EVIDENCE.format(p=p, ref=ref, extra=extra)


def ledger_evidence(p: str, ref: str, extra: str = "") -> str:
    return _LEDGER_EVIDENCE.format(p=p, ref=ref, extra=extra)


_MATCH_SETTLEMENT = settlement_evidence(
    "m.processor", "m.settlement_reference", "AND x.direction = m.direction"
)
_MATCH_LEDGER = ledger_evidence("m.processor", "m.ledger_reference", "AND y.direction = m.direction")
_CHARGEBACK_LINE = settlement_evidence(
    "c.processor", "c.processor_reference", "AND x.file_id = c.file_id AND x.line_number = c.line_number"
)
# Every run looks at all of an entity's matches that differ (an exception it no longer finds would be
# resolved), not only its own: `settlement_minor <> ledger_minor` (implied by any tolerance >= 0) lets
# it read them through a partial index instead of every match the entity ever made.
_FOUND = """INSERT INTO found_exceptions (exception_id, exception_type, control, legal_entity_id, period_id,
            channel_id, business_date, currency, amount_minor, reference, evidence)"""

EXCEPTIONS = [
    f"""{_FOUND}
    SELECT md5(concat_ws('|', 'missing_in_ledger', s.processor, s.ref, s.direction))::uuid::text,
           'missing_in_ledger', 'payment_settlement', :entity, s.period_id, s.channel_id, s.business_date,
           s.currency, s.amount, s.ref,
           json_build_object('processor', s.processor, 'report_id', s.report_id,
               'settlement', {settlement_evidence("s.processor", "s.ref", "AND x.direction = s.direction")},
               'ledger', '[]'::json)::jsonb
      FROM open_settlement s
     WHERE s.business_date + CAST(:posting_grace_days AS int) < CAST(:as_of_date AS date)""",
    f"""{_FOUND}
    SELECT md5(concat_ws('|', 'missing_in_settlement', t.processor, t.ref, t.direction))::uuid::text,
           'missing_in_settlement', 'payment_settlement', :entity, t.period_id, t.channel_id, t.business_date,
           t.currency, t.amount, t.ref,
           json_build_object('processor', t.processor, 'settlement', '[]'::json,
               'ledger', {ledger_evidence("t.processor", "t.ref", "AND y.direction = t.direction")})::jsonb
      FROM open_ledger t
     WHERE t.business_date + CAST(:settlement_window_days AS int) < CAST(:as_of_date AS date)""",
    f"""{_FOUND}
    SELECT md5(concat_ws('|', 'amount_mismatch', m.processor, m.settlement_reference,
        m.direction))::uuid::text,
           'amount_mismatch', 'payment_settlement', :entity,
           (SELECT min(period_id) FROM settlement_lines z WHERE z.processor = m.processor
               AND z.processor_reference = m.settlement_reference),
           m.channel_id, m.business_date, m.currency, m.settlement_minor - m.ledger_minor,
               m.settlement_reference,
           json_build_object('processor', m.processor, 'rule', m.rule, 'settlement_minor', m.settlement_minor,
               'ledger_minor', m.ledger_minor,
               'settlement',
                   {_MATCH_SETTLEMENT},
               'ledger', {_MATCH_LEDGER})::jsonb
      FROM settlement_matches m
     WHERE m.legal_entity_id = :entity AND m.settlement_minor <> m.ledger_minor
       AND abs(m.settlement_minor - m.ledger_minor) > CAST(:mismatch_tolerance AS bigint)""",
    f"""{_FOUND}
    SELECT md5(concat_ws('|', 'chargeback', c.file_id, c.line_number))::uuid::text,
           'chargeback', CASE WHEN c.processor = 'amazon' THEN 'marketplace_revenue' ELSE
               'payment_settlement' END,
           :entity, c.period_id,
           coalesce((SELECT min(channel_id) FROM tender_lines y WHERE y.processor = c.processor
                        AND y.processor_reference = c.processor_reference), c.channel_id),
           c.business_date, c.currency, -coalesce(c.gross_minor, c.net_minor), c.processor_reference,
           json_build_object('processor', c.processor, 'report_id', c.report_id,
               'settlement',
                   {_CHARGEBACK_LINE},
               'ledger', coalesce({ledger_evidence("c.processor", "c.processor_reference")},
                   '[]'::json))::jsonb
      FROM settlement_lines c WHERE c.legal_entity_id = :entity AND c.record_type = 'chargeback'""",
]
