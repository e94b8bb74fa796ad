"""Controls 1, 3 and 4 as set-based SQL, each adding what it finds to `found_exceptions`.

1. Sales to ERP completeness: every recorded transaction (latest revision) has posted entries of
   that revision whose discount and tax totals equal the source's, within the posting grace.
3. Returns correlation: a refund with no disposition of its order within the window, and a
   disposition with no refund of its order within the window.
4. Marketplace revenue: a marketplace's commission on an order may not exceed its rule's share of
   the order's principal (fees, reserves and commissions are posted as typed variances; marketplace
   chargebacks are exceptions with the settlement controls)."""

from __future__ import annotations

_FOUND = """INSERT INTO found_exceptions (exception_id, exception_type, control, legal_entity_id, period_id,
            channel_id, business_date, currency, amount_minor, reference, evidence)"""

COMPLETENESS = f"""
WITH latest AS (
    SELECT source_system, document_id, max(revision) AS revision
      FROM ledger_documents WHERE legal_entity_id = :entity GROUP BY source_system, document_id
), posted AS (
    SELECT d.source_system, d.document_id, d.revision, sum(d.discount_minor) AS discount,
           sum(d.tax_minor) AS tax, min(d.period_id) AS period_id,
           json_agg(json_build_object('entry_id', d.entry_id, 'discount_minor', d.discount_minor,
                    'tax_minor', d.tax_minor, 'posted_at', d.posted_at, 'period_id', d.period_id)) AS entries
      FROM ledger_documents d JOIN latest USING (source_system, document_id, revision)
     GROUP BY d.source_system, d.document_id, d.revision
), compared AS (
    SELECT s.*, p.revision AS posted_revision, p.period_id AS posted_period, p.entries,
           CASE WHEN s.kind = 'return' THEN -1 ELSE 1 END * p.discount AS posted_discount,
           CASE WHEN s.kind = 'return' THEN -1 ELSE 1 END * p.tax AS posted_tax
      FROM sales_documents s LEFT JOIN posted p USING (source_system, document_id)
     WHERE s.legal_entity_id = :entity
), problems AS (
    SELECT c.*, 'not_posted' AS problem, c.tender_minor AS difference FROM compared c
     WHERE (c.posted_revision IS NULL OR c.posted_revision < c.revision)
       AND c.recorded_at < CAST(:as_of AS timestamptz) - make_interval(days => CAST(:posting_grace_days AS
           int))
    UNION ALL
    SELECT c.*, 'discount_mismatch', c.posted_discount - c.discount_minor FROM compared c
     WHERE c.posted_revision = c.revision AND c.posted_discount <> c.discount_minor
    UNION ALL
    SELECT c.*, 'tax_mismatch', c.posted_tax - c.tax_minor FROM compared c
     WHERE c.posted_revision = c.revision AND c.posted_tax <> c.tax_minor
)
{_FOUND}
SELECT md5(concat_ws('|', problem, source_system, document_id, revision))::uuid::text, problem,
       'sales_completeness', :entity, coalesce(posted_period, recon_period_of(:entity, business_date)),
       channel_id, business_date, currency, difference, document_id,
       json_build_object('node_id', node_id, 'order_id', order_id,
           'sales', json_build_object('source_system', source_system, 'document_id', document_id,
               'revision', revision, 'kind', kind, 'discount_minor', discount_minor, 'tax_minor', tax_minor,
               'tender_minor', tender_minor, 'recorded_at', recorded_at),
           'ledger', coalesce(entries, '[]'::json))::jsonb
  FROM problems"""

_DISPOSITION_ENTITY = """coalesce(
    (SELECT r.content->>'legal_entity_id' FROM master_replica r WHERE r.record_type = 'node' AND r.key =
        d.node_id),
    (SELECT min(s.legal_entity_id) FROM sales_documents s WHERE s.order_id = d.order_id))"""

RETURNS = [
    f"""{_FOUND}
    SELECT md5(concat_ws('|', 'refund_without_disposition', s.source_system, s.document_id))::uuid::text,
           'refund_without_disposition', 'returns_correlation', :entity,
           recon_period_of(:entity, s.business_date), s.channel_id, s.business_date, s.currency,
               s.tender_minor,
           s.order_id,
           json_build_object('sales', json_build_object('source_system', s.source_system,
               'document_id', s.document_id, 'order_id', s.order_id, 'returned_skus', s.returned_skus,
               'tender_minor', s.tender_minor), 'inventory', '[]'::json)::jsonb
      FROM sales_documents s
     WHERE s.legal_entity_id = :entity AND cardinality(s.returned_skus) > 0
       AND s.business_date + CAST(:returns_window_days AS int) < CAST(:as_of_date AS date)
       AND NOT EXISTS (SELECT 1 FROM return_dispositions d WHERE d.order_id = s.order_id
             AND d.occurred_at::date BETWEEN s.business_date - CAST(:returns_window_days AS int)
                                         AND s.business_date + CAST(:returns_window_days AS int))""",
    f"""{_FOUND}
    SELECT md5(concat_ws('|', 'disposition_without_refund', d.movement_id))::uuid::text,
           'disposition_without_refund', 'returns_correlation', :entity,
           recon_period_of(:entity, d.occurred_at::date), NULL, d.occurred_at::date, NULL, NULL,
           coalesce(d.order_id, d.rma),
           json_build_object('sales', '[]'::json, 'inventory', json_build_array(json_build_object(
               'movement_id', d.movement_id, 'order_id', d.order_id, 'rma', d.rma, 'sku', d.sku,
               'node_id', d.node_id, 'qty', d.qty, 'disposition', d.disposition,
               'occurred_at', d.occurred_at)))::jsonb
      FROM return_dispositions d
     WHERE {_DISPOSITION_ENTITY} = :entity
       AND d.occurred_at < CAST(:as_of AS timestamptz) - make_interval(days => CAST(:returns_window_days AS
           int))
       AND NOT EXISTS (SELECT 1 FROM sales_documents s WHERE s.order_id = d.order_id
             AND cardinality(s.returned_skus) > 0
             AND s.business_date BETWEEN d.occurred_at::date - CAST(:returns_window_days AS int)
                                     AND d.occurred_at::date + CAST(:returns_window_days AS int))""",
]

MARKETPLACE = f"""
WITH rules(marketplace, max_rate, tolerance) AS (SELECT * FROM unnest(CAST(:marketplaces AS text[]),
                                                  CAST(:max_rates AS numeric[]), CAST(:tolerances AS
                                                      bigint[]))),
orders AS (
    SELECT sl.processor, sl.processor_reference AS ref, min(sl.net_currency) AS currency,
           sum(CASE WHEN sl.record_type = 'payment' THEN coalesce(sl.gross_minor, 0) ELSE 0 END) AS principal,
           sum(CASE WHEN sl.record_type = 'commission' THEN sl.fee_minor ELSE 0 END) AS commission,
           min(sl.period_id) AS period_id, min(sl.channel_id) AS channel_id, min(sl.business_date) AS
               business_date,
           min(r.max_rate) AS max_rate, min(r.tolerance) AS tolerance
      FROM settlement_lines sl JOIN rules r ON r.marketplace = sl.processor
     WHERE sl.legal_entity_id = :entity AND sl.processor = ANY(CAST(:marketplaces AS text[]))
     GROUP BY sl.processor, sl.processor_reference
)
{_FOUND}
SELECT md5(concat_ws('|', 'commission_above_rate', processor, ref))::uuid::text, 'commission_above_rate',
       'marketplace_revenue', :entity, period_id, channel_id, business_date, currency,
       commission - floor(principal * max_rate)::bigint, ref,
       json_build_object('processor', processor, 'principal_minor', principal, 'commission_minor', commission,
           'max_rate', max_rate, 'settlement', (SELECT json_agg(json_build_object('file_id', x.file_id,
               'line_number', x.line_number, 'raw_type', x.raw_type, 'gross_minor', x.gross_minor,
               'fee_minor', x.fee_minor)) FROM settlement_lines x
               WHERE x.processor = orders.processor AND x.processor_reference = orders.ref))::jsonb
  FROM orders WHERE principal > 0 AND commission > floor(principal * max_rate) + tolerance"""
