"""The day's money files written and uploaded to reconciliation, then every control run per legal entity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from retail_sync_cli.demo.api import DemoError, System
from retail_sync_cli.demo.bank_file import Receipt, camt053
from retail_sync_cli.demo.day import TradingDay
from retail_sync_cli.demo.settlement_files import AdyenBatch, adyen_batch, adyen_csv, amazon_flat_file

US_ACCOUNT = "US-DEMO-0001-USD"
NL_ACCOUNT = "NL91ABNA0417164300"


@dataclass(frozen=True)
class MoneyFile:
    filename: str
    legal_entity_id: str
    channel_id: str | None
    content: bytes


@dataclass
class MoneyFiles:
    files: list[MoneyFile] = field(default_factory=list)
    adyen: dict[str, AdyenBatch] = field(default_factory=dict)
    amazon_total_minor: int = 0
    amazon_commission_minor: int = 0


def write_money_files(day: TradingDay) -> MoneyFiles:
    out = MoneyFiles()
    stamp = f"{day.trading_day:%Y%m%d}"
    for entity, batch_number in (("LE-US", 431), ("LE-NL", 118)):
        batch = adyen_batch(day, entity, batch_number)
        out.adyen[entity] = batch
        out.files.append(
            MoneyFile(
                f"settlement_detail_report_batch_{batch_number}_{stamp}.csv", entity, None, adyen_csv(batch)
            )
        )
    amazon = amazon_flat_file(day)
    out.amazon_total_minor, out.amazon_commission_minor = amazon.total_minor, amazon.commission_minor
    out.files.append(
        MoneyFile(f"amazon_settlement_{amazon.settlement_id}.txt", "LE-US", "AMAZON-US", amazon.content)
    )
    next_day = day.trading_day + timedelta(days=1)
    us, nl = out.adyen["LE-US"], out.adyen["LE-NL"]
    us_receipts = [
        _adyen_receipt(next_day, us),
        Receipt(
            amazon.deposit_date,
            amazon.total_minor,
            f"AMZ{amazon.settlement_id}",
            f"AMAZON.COM SERVICES SETTLEMENT {amazon.settlement_id}",
            "Amazon.com Services LLC",
        ),
    ]
    nl_receipts = [_adyen_receipt(next_day, nl)]
    statement_day = day.trading_day + timedelta(days=2)
    out.files.append(
        MoneyFile(
            f"camt053_{US_ACCOUNT}_{statement_day:%Y%m%d}.xml",
            "LE-US",
            None,
            camt053(
                f"STMT-US-{statement_day:%Y%m%d}", US_ACCOUNT, "USD", statement_day, 25_000_000, us_receipts
            ),
        )
    )
    out.files.append(
        MoneyFile(
            f"camt053_{NL_ACCOUNT}_{statement_day:%Y%m%d}.xml",
            "LE-NL",
            None,
            camt053(
                f"STMT-NL-{statement_day:%Y%m%d}", NL_ACCOUNT, "EUR", statement_day, 8_000_000, nl_receipts
            ),
        )
    )
    return out


def _adyen_receipt(on: date, batch: AdyenBatch) -> Receipt:
    remittance = f"ADYEN N.V. {batch.payout_reference} BATCH {batch.batch_number}"
    return Receipt(on, batch.payout_minor, f"ADY{batch.batch_number}", remittance, "Adyen N.V.")


async def upload_money_files(system: System, files: MoneyFiles) -> list[dict[str, Any]]:
    outcomes = []
    for money_file in files.files:
        params = {"legal_entity_id": money_file.legal_entity_id, "filename": money_file.filename}
        if money_file.channel_id:
            params["channel_id"] = money_file.channel_id
        outcome = await system.post(
            "reconciliation",
            "/v1/recon/files",
            params=params,
            content=money_file.content,
            expect=(200, 201, 422),
        )
        if outcome["status"] == 422:  # a problem document; `problems` lists every bad line
            raise DemoError(f"reconciliation rejected {money_file.filename}: {outcome['problems'][:5]}")
        outcomes.append(outcome)
    return outcomes


async def reconcile(system: System) -> dict[str, dict[str, Any]]:
    """Every control, once more, per legal entity (idempotent: nothing new, nothing changes)."""
    return {
        entity: await system.post("reconciliation", "/v1/recon/runs", json={"legal_entity_id": entity})
        for entity in ("LE-US", "LE-NL")
    }
