"""REST /v1/promotions: authoring, lifecycle, audit history and deployments of promotions.

A key bound to channels (store clusters) authors and moves through the lifecycle only promotions
scoped within its channels (clusters): 403 naming ``scope.channels`` (``scope.store_clusters``)
otherwise. It reads a promotion, its versions, audit trail and deployments only when some version
reaches its channels and clusters (a promotion for every channel does): 404 otherwise, as if absent;
and it lists only its channels' deployments.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import HeaderParameter
from retail_platform.auth import requires_scope
from retail_platform.idempotency import IdempotencyStore, idempotent
from retail_platform.principal import Principal

from promotion.adapters.http.errors import translated_errors
from promotion.adapters.http.queries import PromotionQueries, Visible
from promotion.adapters.http.schemas import EditRequest, LifecycleRequest
from promotion.application.access import visible_to
from promotion.application.use_cases.authoring import CreatePromotion, EditPromotion
from promotion.application.use_cases.lifecycle import ChangeLifecycle
from promotion.application.views import AuditView, PromotionView, VersionView
from promotion.domain.promotion import Promotion

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]
Verb = Literal["submit", "reject", "approve", "schedule", "withdraw"]
_VERB_SCOPES = {"submit": "promotion:write"}


def visible(principal: Principal) -> Visible:
    def sees(promotion: Promotion) -> bool:
        return visible_to(
            (record.content for record in promotion.records), principal.channels, principal.store_clusters
        )

    return sees


class PromotionsController(Controller):
    path = "/v1/promotions"
    tags = ["promotions"]

    @post(
        operation_id="CreatePromotion",
        guards=[requires_scope("promotion:write")],
        summary="Create a draft (version 1)",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: dict[str, Any],
        principal: Principal,
        create_promotion: CreatePromotion,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """The body is a promotion version without `version`; the author is the API key's owner."""

        async def produce() -> tuple[int, bytes]:
            with translated_errors():
                view = await create_promotion(
                    data,
                    by=principal.owner,
                    channels=principal.channels,
                    store_clusters=principal.store_clusters,
                )
            return 201, msgspec.json.encode(view)

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/{promotion_id:str}/versions",
        operation_id="EditPromotion",
        guards=[requires_scope("promotion:write")],
        summary="Edit: a new draft version N+1",
    )
    async def edit(
        self,
        request: Request[Any, Any, Any],
        promotion_id: str,
        data: EditRequest,
        principal: Principal,
        edit_promotion: EditPromotion,
        idempotency_store: IdempotencyStore,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        async def produce() -> tuple[int, bytes]:
            with translated_errors():
                view = await edit_promotion(
                    promotion_id,
                    data.changes,
                    by=principal.owner,
                    why=data.why,
                    channels=principal.channels,
                    store_clusters=principal.store_clusters,
                )
            return 201, msgspec.json.encode(view)

        return await idempotent(request, idempotency_store, idempotency_key, produce)

    @post(
        "/{promotion_id:str}/submit",
        operation_id="SubmitPromotion",
        guards=[requires_scope("promotion:write")],
        status_code=200,
    )
    async def submit(
        self,
        promotion_id: str,
        principal: Principal,
        change_lifecycle: ChangeLifecycle,
        data: LifecycleRequest | None = None,
    ) -> PromotionView:
        return await _change(change_lifecycle, promotion_id, "submit", principal, data)

    @post(
        "/{promotion_id:str}/approve",
        operation_id="ApprovePromotion",
        guards=[requires_scope("promotion:approve")],
        status_code=200,
    )
    async def approve(
        self,
        promotion_id: str,
        principal: Principal,
        change_lifecycle: ChangeLifecycle,
        data: LifecycleRequest | None = None,
    ) -> PromotionView:
        """Approval by a second user: the approver is the API key's owner and cannot be the author."""
        return await _change(change_lifecycle, promotion_id, "approve", principal, data)

    @post(
        "/{promotion_id:str}/reject",
        operation_id="RejectPromotion",
        guards=[requires_scope("promotion:approve")],
        status_code=200,
    )
    async def reject(
        self,
        promotion_id: str,
        principal: Principal,
        change_lifecycle: ChangeLifecycle,
        data: LifecycleRequest | None = None,
    ) -> PromotionView:
        return await _change(change_lifecycle, promotion_id, "reject", principal, data)

    @post(
        "/{promotion_id:str}/schedule",
        operation_id="SchedulePromotion",
        guards=[requires_scope("promotion:approve")],
        status_code=200,
    )
    async def schedule(
        self,
        promotion_id: str,
        principal: Principal,
        change_lifecycle: ChangeLifecycle,
        data: LifecycleRequest | None = None,
    ) -> PromotionView:
        """Schedule the approved version: it is validated and distributed to every channel target."""
        return await _change(change_lifecycle, promotion_id, "schedule", principal, data)

    @post(
        "/{promotion_id:str}/withdraw",
        operation_id="WithdrawPromotion",
        guards=[requires_scope("promotion:approve")],
        status_code=200,
    )
    async def withdraw(
        self,
        promotion_id: str,
        principal: Principal,
        change_lifecycle: ChangeLifecycle,
        data: LifecycleRequest | None = None,
    ) -> PromotionView:
        """Withdraw the live version (rolls back to the previous approved one, or off); `why` is required."""
        return await _change(change_lifecycle, promotion_id, "withdraw", principal, data)

    @get("/{promotion_id:str}", operation_id="GetPromotion", guards=[requires_scope("promotion:read")])
    async def get_promotion(
        self, promotion_id: str, principal: Principal, queries: PromotionQueries
    ) -> PromotionView:
        """A key bound to channels or store clusters gets 404 when no version reaches it."""
        with translated_errors():
            return await queries.promotion(promotion_id, visible(principal))

    @get(
        "/{promotion_id:str}/versions/{version:int}",
        operation_id="GetPromotionVersion",
        guards=[requires_scope("promotion:read")],
    )
    async def get_version(
        self, promotion_id: str, version: int, principal: Principal, queries: PromotionQueries
    ) -> VersionView:
        with translated_errors():
            return await queries.version(promotion_id, version, visible(principal))

    @get(
        "/{promotion_id:str}/audit",
        operation_id="GetPromotionAudit",
        guards=[requires_scope("promotion:read")],
    )
    async def audit(
        self, promotion_id: str, principal: Principal, queries: PromotionQueries
    ) -> list[AuditView]:
        """Every transition of every version: who, when, why."""
        with translated_errors():
            return await queries.audit(promotion_id, visible(principal))

    @get(
        "/{promotion_id:str}/deployments",
        operation_id="ListPromotionDeployments",
        guards=[requires_scope("promotion:read")],
    )
    async def deployments(
        self, promotion_id: str, principal: Principal, queries: PromotionQueries
    ) -> list[dict[str, Any]]:
        """Every (channel, target) deployment of every version, with status and reason; a key bound
        to channels sees only its channels' deployments."""
        with translated_errors():
            return await queries.deployments(promotion_id, principal.may_access_channel, visible(principal))


async def _change(
    change_lifecycle: ChangeLifecycle,
    promotion_id: str,
    verb: Verb,
    principal: Principal,
    data: LifecycleRequest | None,
) -> PromotionView:
    body = data or LifecycleRequest()
    with translated_errors():
        return await change_lifecycle(
            promotion_id,
            verb,
            by=principal.owner,
            why=body.why,
            expected_version=body.version,
            channels=principal.channels,
            store_clusters=principal.store_clusters,
        )
