"""ERP export as files: `<dir>/outgoing/<batch_id>.json` and `.csv` (layouts: contracts/erp/).

The ERP's file pickup acknowledges by writing `<dir>/acks/<anything>.json` with
`{"batch_id": ..., "reference": ..., "accepted": true}`; each ack file is read once and moved to
`acks/processed/`. Writing a batch again replaces its files with the same bytes (idempotent).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import msgspec

from order_ledger.domain.erp_export import ErpAck


def _write_atomically(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


class FileErpExporter:
    def __init__(self, directory: Path) -> None:
        self.outgoing = directory / "outgoing"
        self.acks = directory / "acks"

    async def send(self, batch_id: str, json_document: bytes, csv_document: bytes) -> ErpAck | None:
        def write() -> None:
            self.outgoing.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.outgoing / f"{batch_id}.csv", csv_document)
            _write_atomically(self.outgoing / f"{batch_id}.json", json_document)

        await asyncio.to_thread(write)
        return None

    async def acknowledgments(self) -> list[ErpAck]:
        def read() -> list[ErpAck]:
            if not self.acks.is_dir():
                return []
            found = []
            for path in sorted(self.acks.glob("*.json")):
                try:
                    found.append(msgspec.json.decode(path.read_bytes(), type=ErpAck))
                except (msgspec.ValidationError, msgspec.DecodeError):
                    continue  # left in place for a person to look at
                (self.acks / "processed").mkdir(exist_ok=True)
                path.rename(self.acks / "processed" / path.name)
            return found

        return await asyncio.to_thread(read)
