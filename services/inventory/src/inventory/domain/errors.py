"""Stock rule violations. Both are ValidationErrors on ``qty`` so adapters report the field."""

from __future__ import annotations

from canon.errors import ValidationError


class InsufficientStock(ValidationError):  # noqa: N818 (the domain's name for it)
    """A reservation or allocation would take available to sell below zero: never oversell."""

    def __init__(self, sku: str, node: str, requested: int, available: int) -> None:
        super().__init__("qty", f"{requested} requested of {sku} at {node}, {available} available to sell")
        self.sku = sku
        self.node = node
        self.requested = requested
        self.available = available

    def __reduce__(self) -> tuple[type[InsufficientStock], tuple[str, str, int, int]]:  # type: ignore[override]
        return (type(self), (self.sku, self.node, self.requested, self.available))


class InsufficientOnHand(ValidationError):  # noqa: N818
    """A ship, transfer or write-off takes more than the sellable on hand (on hand - damaged)."""

    def __init__(self, sku: str, node: str, requested: int, on_hand: int) -> None:
        super().__init__("qty", f"{requested} of {sku} leaving {node}, only {on_hand} sellable on hand")
        self.sku = sku
        self.node = node
        self.requested = requested
        self.on_hand = on_hand

    def __reduce__(self) -> tuple[type[InsufficientOnHand], tuple[str, str, int, int]]:  # type: ignore[override]
        return (type(self), (self.sku, self.node, self.requested, self.on_hand))


class ReplayBroken(ValidationError):  # noqa: N818
    """Re-folding a position broke a rule at movement ``idempotency_key``; ``cause`` says which."""

    def __init__(self, idempotency_key: str, cause: ValidationError) -> None:
        super().__init__(cause.field, f"at movement {idempotency_key}: {cause.reason}")
        self.idempotency_key = idempotency_key
        self.cause = cause

    def __reduce__(self) -> tuple[type[ReplayBroken], tuple[str, ValidationError]]:  # type: ignore[override]
        return (type(self), (self.idempotency_key, self.cause))


class UnknownReference(ValidationError):  # noqa: N818
    """A movement names a sku or node master data does not know (yet: the read model may lag, so
    a consumer retries before dead-lettering)."""

    def __init__(self, field: str, what: str, value: str) -> None:
        super().__init__(field, f"unknown {what} {value!r} (not in master data)")
        self.what = what
        self.value = value

    def __reduce__(self) -> tuple[type[UnknownReference], tuple[str, str, str]]:  # type: ignore[override]
        return (type(self), (self.field, self.what, self.value))
