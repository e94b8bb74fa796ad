"""ERP export over HTTP: POST the JSON batch with `Idempotency-Key: <batch_id>`.

A 2xx answer (or 409 "already posted") is the acknowledgment; its JSON body may give the ERP's
`reference`. A timeout or a lost answer leaves the batch unacknowledged: it is re-sent later, and
the ERP recognises the batch id.
"""

from __future__ import annotations

import httpx
import msgspec

from order_ledger.domain.erp_export import ErpAck


class _Answer(msgspec.Struct):
    reference: str | None = None
    message: str | None = None


class HttpErpExporter:
    def __init__(self, url: str, *, timeout_s: float = 10.0, client: httpx.AsyncClient | None = None) -> None:
        self._url = url
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    async def send(self, batch_id: str, json_document: bytes, csv_document: bytes) -> ErpAck | None:
        response = await self._client.post(
            self._url,
            content=json_document,
            headers={"Content-Type": "application/json", "Idempotency-Key": batch_id, "X-Batch-Id": batch_id},
        )
        if response.status_code == 409 or response.is_success:
            try:
                answer = msgspec.json.decode(response.content or b"{}", type=_Answer)
            except (msgspec.ValidationError, msgspec.DecodeError):
                answer = _Answer()
            return ErpAck(batch_id=batch_id, reference=answer.reference, message=answer.message)
        response.raise_for_status()
        return None

    async def acknowledgments(self) -> list[ErpAck]:
        return []

    async def close(self) -> None:
        await self._client.aclose()
