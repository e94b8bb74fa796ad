"""REST /v1/deployments: a channel acknowledges (or refuses) a deployment, and can fetch its payload."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from retail_platform.auth import requires_scope
from retail_platform.principal import Principal

from promotion.adapters import metrics
from promotion.adapters.http.errors import translated_errors
from promotion.adapters.http.queries import PromotionQueries
from promotion.adapters.http.schemas import AcknowledgementRequest
from promotion.adapters.postgres.deployments import deployment_view
from promotion.application.use_cases.acknowledge import AcknowledgeDeployment


class DeploymentsController(Controller):
    path = "/v1/deployments"
    tags = ["distribution"]

    @post(
        "/{deployment_id:str}/acknowledgements",
        operation_id="AcknowledgeDeployment",
        guards=[requires_scope("promotion:ack")],
        status_code=200,
    )
    async def acknowledge(
        self,
        deployment_id: str,
        data: AcknowledgementRequest,
        principal: Principal,
        acknowledge_deployment: AcknowledgeDeployment,
    ) -> dict[str, Any]:
        """`accepted: false` with a `reason` marks it failed. A key bound to channels sees only theirs."""
        with translated_errors():
            after = await acknowledge_deployment(
                deployment_id,
                accepted=data.accepted,
                reason=data.reason,
                channel_allowed=principal.may_access_channel,
            )
        metrics.count_status(after)  # the same count as an acknowledgement over NATS
        return deployment_view(after)

    @get(
        "/{deployment_id:str}/payload",
        operation_id="GetDeploymentPayload",
        guards=[requires_scope("promotion:read")],
    )
    async def payload(
        self, deployment_id: str, principal: Principal, queries: PromotionQueries
    ) -> Response[bytes]:
        """A key bound to channels sees only its channels' payloads."""
        with translated_errors():
            content, content_type = await queries.deployment_payload(
                deployment_id, principal.may_access_channel
            )
        return Response(content=content, media_type=content_type)
