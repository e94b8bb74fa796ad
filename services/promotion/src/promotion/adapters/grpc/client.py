"""A small EvaluateCart client (tests, benchmark, integrators' reference)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import grpc

from promotion.adapters.grpc.messages import pb2_grpc, request_from_cart
from promotion.domain.cart import Cart


class EvaluationClient:
    def __init__(self, target: str, api_key: str | None = None) -> None:
        self._target = target
        self._metadata = (("x-api-key", api_key),) if api_key else ()

    async def __aenter__(self) -> EvaluationClient:
        self._channel = grpc.aio.insecure_channel(self._target)
        self._stub = pb2_grpc.PromotionEvaluationStub(self._channel)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._channel.close()

    async def evaluate(self, cart: Cart) -> Any:
        return await self.evaluate_raw(request_from_cart(cart))

    async def evaluate_raw(self, request: Any) -> Any:
        return await self._stub.EvaluateCart(request, metadata=self._metadata)
