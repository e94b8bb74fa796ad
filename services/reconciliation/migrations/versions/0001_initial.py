"""Files and their lines, the read models fed by events, matches, variances, exceptions and audit.

Written as SQL: the matching engine is SQL too, and these are the shapes it joins.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from alembic import op
from master_replica.schema import REPLICA_METADATA, create_replica_schema
from messaging.schema import MESSAGING_METADATA, create_messaging_schema
from retail_platform.tables import create_platform_schema, drop_platform_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = [
    """CREATE TABLE recon_files (
        file_id text PRIMARY KEY, kind text NOT NULL, source_format text NOT NULL, report_id text NOT NULL,
        filename text, legal_entity_id text NOT NULL, channel_id text, business_date date NOT NULL,
        period_id text NOT NULL, late boolean NOT NULL, cutoff_at timestamptz NOT NULL,
        line_count integer NOT NULL, received_at timestamptz NOT NULL, source text NOT NULL,
        variances_done boolean NOT NULL DEFAULT false,
        CONSTRAINT uq_recon_files_report UNIQUE (legal_entity_id, kind, source_format, report_id))""",
    """CREATE TABLE recon_file_rejections (
        rejection_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, file_id text NOT NULL,
        filename text, received_at timestamptz NOT NULL, problems jsonb NOT NULL)""",
    """CREATE TABLE settlement_lines (
        file_id text NOT NULL, line_number integer NOT NULL, legal_entity_id text NOT NULL,
        period_id text NOT NULL, channel_id text, processor text NOT NULL, report_id text NOT NULL,
        record_type text NOT NULL, raw_type text NOT NULL, processor_reference text NOT NULL,
        merchant_reference text, booked_at timestamptz NOT NULL, business_date date NOT NULL,
        currency text NOT NULL, gross_minor bigint, net_currency text NOT NULL, net_minor bigint,
        fee_minor bigint NOT NULL, direction smallint, payout_id text, payout_reference text, raw json,
        PRIMARY KEY (file_id, line_number))""",
    "CREATE INDEX ix_settlement_lines_reference ON settlement_lines (processor, processor_reference)",
    "CREATE INDEX ix_settlement_lines_period ON settlement_lines (legal_entity_id, period_id)",
    """CREATE TABLE bank_lines (
        file_id text NOT NULL, line_number integer NOT NULL, legal_entity_id text NOT NULL,
        period_id text NOT NULL, statement_id text NOT NULL, account text NOT NULL, booked_on date NOT NULL,
        value_date date, currency text NOT NULL, amount_minor bigint NOT NULL, reference text,
        description text NOT NULL, counterparty text, raw json, PRIMARY KEY (file_id, line_number))""",
    """CREATE TABLE tender_lines (
        entry_id text NOT NULL, line_index integer NOT NULL, source_system text NOT NULL,
        document_id text NOT NULL, revision integer NOT NULL, legal_entity_id text NOT NULL,
        channel_id text, node_id text, order_id text, business_date date NOT NULL, period_id text NOT NULL,
        processor text NOT NULL, processor_reference text NOT NULL, tender_kind text, currency text NOT NULL,
        amount_minor bigint NOT NULL, direction smallint NOT NULL, PRIMARY KEY (entry_id, line_index))""",
    "CREATE INDEX ix_tender_lines_reference ON tender_lines (processor, processor_reference)",
    "CREATE INDEX ix_tender_lines_document ON tender_lines (source_system, document_id)",
    """CREATE TABLE ledger_documents (
        entry_id text PRIMARY KEY, source_system text NOT NULL, document_id text NOT NULL,
        revision integer NOT NULL, legal_entity_id text NOT NULL, channel_id text, node_id text,
        business_date date NOT NULL, period_id text NOT NULL, currency text NOT NULL,
        transaction_kind text NOT NULL, discount_minor bigint NOT NULL, tax_minor bigint NOT NULL,
        posted_at timestamptz NOT NULL)""",
    "CREATE INDEX ix_ledger_documents_document ON ledger_documents (source_system, document_id)",
    """CREATE TABLE sales_documents (
        source_system text NOT NULL, document_id text NOT NULL, revision integer NOT NULL,
        kind text NOT NULL, order_id text NOT NULL, original_document_id text, channel_id text NOT NULL,
        node_id text NOT NULL, legal_entity_id text NOT NULL, currency text NOT NULL,
        business_date date NOT NULL, discount_minor bigint NOT NULL, tax_minor bigint NOT NULL,
        tender_minor bigint NOT NULL, returned_skus text[] NOT NULL, recorded_at timestamptz NOT NULL,
        PRIMARY KEY (source_system, document_id))""",
    "CREATE INDEX ix_sales_documents_order ON sales_documents (order_id)",
    """CREATE TABLE return_dispositions (
        movement_id text PRIMARY KEY, order_id text, rma text, sku text NOT NULL, node_id text NOT NULL,
        qty integer NOT NULL, disposition text NOT NULL, occurred_at timestamptz NOT NULL)""",
    "CREATE INDEX ix_return_dispositions_order ON return_dispositions (order_id)",
    """CREATE TABLE recon_cutoffs (
        legal_entity_id text NOT NULL, period_id text NOT NULL, cutoff_at timestamptz NOT NULL,
        PRIMARY KEY (legal_entity_id, period_id))""",
    """CREATE TABLE settlement_matches (
        processor text NOT NULL, direction smallint NOT NULL, settlement_reference text NOT NULL,
        ledger_reference text NOT NULL, legal_entity_id text NOT NULL, currency text NOT NULL,
        rule text NOT NULL, settlement_minor bigint NOT NULL, ledger_minor bigint NOT NULL,
        channel_id text, business_date date NOT NULL, run_id text NOT NULL, matched_at timestamptz NOT NULL,
        PRIMARY KEY (processor, direction, settlement_reference),
        CONSTRAINT uq_settlement_matches_ledger UNIQUE (processor, direction, ledger_reference))""",
    """CREATE TABLE payout_links (
        payout_file_id text NOT NULL, payout_line integer NOT NULL, bank_file_id text NOT NULL,
        bank_line integer NOT NULL, legal_entity_id text NOT NULL, rule text NOT NULL, shape text NOT NULL,
        run_id text NOT NULL, linked_at timestamptz NOT NULL,
        PRIMARY KEY (payout_file_id, payout_line, bank_file_id, bank_line))""",
    "CREATE INDEX ix_payout_links_bank ON payout_links (bank_file_id, bank_line)",
    """CREATE TABLE recon_variances (
        variance_id text PRIMARY KEY, kind text NOT NULL, legal_entity_id text NOT NULL,
        period_id text NOT NULL, processor text NOT NULL, report_id text NOT NULL, file_id text,
        business_date date NOT NULL, currency text NOT NULL, amount_minor bigint NOT NULL, channel_id text,
        processor_reference text, line_count integer NOT NULL, exception_id text,
        run_id text NOT NULL, created_at timestamptz NOT NULL)""",
    """CREATE TABLE recon_exceptions (
        exception_id text PRIMARY KEY, exception_type text NOT NULL, control text NOT NULL,
        legal_entity_id text NOT NULL, period_id text NOT NULL, channel_id text, business_date date,
        currency text, amount_minor bigint, reference text, evidence jsonb NOT NULL,
        status text NOT NULL, owner text, reason_code text, proposed_by text, adjusting_entry jsonb,
        approved_by text, opened_at timestamptz NOT NULL, resolved_at timestamptz,
        resolved_by text, step integer NOT NULL DEFAULT 1, run_id text NOT NULL)""",
    "CREATE INDEX ix_recon_exceptions_scope ON recon_exceptions (legal_entity_id, period_id, status)",
    """CREATE TABLE recon_exception_audit (
        exception_id text NOT NULL, step integer NOT NULL, action text NOT NULL, from_status text,
        to_status text NOT NULL, actor text NOT NULL, at timestamptz NOT NULL, details jsonb NOT NULL,
        PRIMARY KEY (exception_id, step))""",
    """CREATE TABLE recon_runs (
        run_id text PRIMARY KEY, legal_entity_id text NOT NULL, as_of timestamptz NOT NULL,
        started_at timestamptz NOT NULL, finished_at timestamptz NOT NULL, summary jsonb NOT NULL)""",
    """CREATE FUNCTION recon_period_of(entity text, day date) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT coalesce(
            (SELECT p->>'period_id' FROM master_replica r, jsonb_array_elements(r.content->'periods') p
              WHERE r.record_type = 'fiscal_calendar' AND r.content->>'legal_entity_id' = entity
                AND day BETWEEN (p->>'start')::date AND (p->>'end')::date LIMIT 1),
            to_char(day, 'YYYY-MM'))
    $$""",
]
DROPS = [
    "DROP FUNCTION recon_period_of(text, date)",
    *(
        f"DROP TABLE {name}"
        for name in (
            "recon_runs",
            "recon_exception_audit",
            "recon_exceptions",
            "recon_variances",
            "payout_links",
            "settlement_matches",
            "recon_cutoffs",
            "return_dispositions",
            "sales_documents",
            "ledger_documents",
            "tender_lines",
            "bank_lines",
            "settlement_lines",
            "recon_file_rejections",
            "recon_files",
        )
    ),
]


def upgrade() -> None:
    create_messaging_schema(op.get_bind())
    create_platform_schema(op.get_bind())
    create_replica_schema(op.get_bind())
    for statement in TABLES:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROPS:
        op.execute(statement)
    REPLICA_METADATA.drop_all(op.get_bind())
    drop_platform_schema(op.get_bind())
    MESSAGING_METADATA.drop_all(op.get_bind())
