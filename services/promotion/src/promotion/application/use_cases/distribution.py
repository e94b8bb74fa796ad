"""Planning deployments when a version is scheduled, withdrawn or rolled back.

Rules:
- scheduling a version plans one publish deployment per (channel, target) (see
  ``domain.distribution.targets``); each is validated against the master-data replica on its own:
  a failing target (an inactive item, a region without the tax mapping) is stored ``failed`` with
  the reason, and the others stay ``pending`` for the dispatcher;
- withdrawing a version plans a withdraw deployment to every target its publish reached (all but
  the failed ones); a rollback also re-publishes the restored version the same way;
- every deployment status is published as ``retail.promotion.deployment_status_changed.v1``.
"""

from __future__ import annotations

from datetime import datetime

from promotion.application.events import deployment_changed
from promotion.application.ports import UnitOfWork
from promotion.domain.distribution.deployment import Deployment, DeploymentAction, deployment_id
from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.payloads import render_payload
from promotion.domain.distribution.targets import NO_TARGET, Target, plan_targets
from promotion.domain.distribution.validation import named_skus, target_problem
from promotion.domain.version import PromotionVersion


def _deployment(
    version: PromotionVersion,
    action: DeploymentAction,
    target: Target,
    step: int,
    now: datetime,
    master: MasterView,
) -> Deployment:
    identity = deployment_id(
        version.promotion_id, version.version, action, target.channel.channel_id, target.name, step
    )
    problem = target_problem(version, target, master) if action == "publish" else None
    payload = None if problem else render_payload(action, version, target, master, identity)
    return Deployment(
        deployment_id=identity,
        promotion_id=version.promotion_id,
        version=version.version,
        action=action,
        channel_id=target.channel.channel_id,
        channel_kind=target.channel.kind,
        target=target.name,
        region=target.region,
        store_cluster=target.store_cluster,
        status="failed" if problem else "pending",
        reason=problem,
        starts_at=version.window.bounds_for(target.region)[0],
        updated_at=now,
        payload=payload.content if payload else b"",
        content_type=payload.content_type if payload else "application/json",
    )


async def plan_deployments(
    uow: UnitOfWork,
    version: PromotionVersion,
    action: DeploymentAction,
    step: int,
    now: datetime,
    only_targets: set[tuple[str, str]] | None = None,
) -> list[Deployment]:
    """Store (and announce) the deployments of ``version``; ``only_targets`` limits them to
    those (channel, target) pairs (a withdrawal goes where the publish went)."""
    master = await uow.master.view(named_skus(version))
    targets, untargeted = plan_targets(version.scope, master)
    planned: list[Deployment] = []
    for target in targets:
        if only_targets is None or (target.channel.channel_id, target.name) in only_targets:
            planned.append(_deployment(version, action, target, step, now, master))
    if action == "publish":
        for channel_id, reason in untargeted:
            identity = deployment_id(
                version.promotion_id, version.version, action, channel_id, NO_TARGET, step
            )
            channel = master.channels.get(channel_id)
            planned.append(
                Deployment(
                    deployment_id=identity,
                    promotion_id=version.promotion_id,
                    version=version.version,
                    action=action,
                    channel_id=channel_id,
                    channel_kind=channel.kind if channel else "unknown",
                    target=NO_TARGET,
                    region=None,
                    store_cluster=None,
                    status="failed",
                    reason=reason,
                    starts_at=version.window.start,
                    updated_at=now,
                )
            )
    stored = await uow.deployments.add_all(planned)
    for deployment in stored:
        await deployment_changed(uow.outbox, deployment)
    return stored


async def reached_targets(uow: UnitOfWork, promotion_id: str, version: int) -> set[tuple[str, str]]:
    """Where a version's publish deployments went (every target but the failed ones)."""
    return {
        (d.channel_id, d.target)
        for d in await uow.deployments.of_version(promotion_id, version)
        if d.action == "publish" and d.status != "failed"
    }
