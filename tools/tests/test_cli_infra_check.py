"""`retail-sync infra check`: the committed infra renders and validates offline; a broken manifest fails."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from retail_sync_cli.infra_check import InfraError, render
from retail_sync_cli.main import cli

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "infra" / "k8s"


def by_name(directory: Path) -> dict[tuple[str, str], dict]:
    return {(r.manifest["kind"], r.manifest["metadata"]["name"]): r.manifest for r in render(directory)}


def test_infra_check_passes_on_the_committed_infra() -> None:
    result = CliRunner().invoke(cli, ["infra", "check"])

    assert result.exit_code == 0, result.output
    assert "infra/k8s/overlays/dev: 34 manifests, 0 problem(s)" in result.output
    assert "infra/k8s/overlays/prod: 34 manifests, 0 problem(s)" in result.output
    assert "infra/k8s/overlays/prod-keda: 34 manifests, 0 problem(s)" in result.output
    assert "infra/k8s/overlays/prod + infra/k8s/addons/console: 39 manifests, 0 problem(s)" in result.output
    assert result.output.rstrip().endswith("infra valid (Kubernetes 1.31 schemas)")


def test_prod_overlay_renders_replicas_namespace_images_and_r3_streams() -> None:
    prod = by_name(K8S / "overlays" / "prod")

    bounds = {
        k[1]: (m["spec"]["minReplicas"], m["spec"]["maxReplicas"])
        for k, m in prod.items()
        if "Autoscaler" in k[0]
    }
    assert bounds == {
        "master-data": (3, 4), "promotion": (3, 12), "inventory": (3, 12), "order-ledger": (3, 10),
        "reconciliation": (3, 6),
    }  # fmt: skip
    assert {m["metadata"]["namespace"] for m in prod.values()} == {"retail-sync"}
    config = prod[("ConfigMap", "retail-sync-config")]["data"]
    assert config["RETAIL_SYNC_NATS_STREAM_REPLICAS"] == "3"
    assert config["RETAIL_SYNC_HTTP_HOST"] == "0.0.0.0"
    inventory = prod[("Deployment", "inventory")]["spec"]["template"]["spec"]
    assert [c["image"] for c in inventory["initContainers"] + inventory["containers"]] == [
        "retail-sync/inventory:0.1.0",
        "retail-sync/inventory:0.1.0",
    ]
    assert inventory["initContainers"][0]["args"] == ["python", "-m", "inventory", "migrate"]
    assert prod[("Cluster", "pg-order-ledger")]["spec"]["instances"] == 3
    assert prod[("Deployment", "order-ledger")]["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "2", "memory": "1Gi"},
    }


def test_dev_overlay_patches_every_autoscaler_and_database_down() -> None:
    dev = by_name(K8S / "overlays" / "dev")

    assert {m["spec"]["maxReplicas"] for k, m in dev.items() if k[0] == "HorizontalPodAutoscaler"} == {2}
    assert {m["spec"]["instances"] for k, m in dev.items() if k[0] == "Cluster"} == {1}
    assert dev[("ConfigMap", "retail-sync-config")]["data"]["RETAIL_SYNC_LOG_LEVEL"] == "DEBUG"


def test_keda_overlay_replaces_the_consumers_cpu_autoscalers() -> None:
    keda = by_name(K8S / "overlays" / "prod-keda")

    assert sorted(k[1] for k in keda if k[0] == "HorizontalPodAutoscaler") == ["master-data"]
    assert sorted(k[1] for k in keda if k[0] == "ScaledObject") == [
        "inventory", "order-ledger", "promotion", "reconciliation"
    ]  # fmt: skip


def test_renderer_refuses_kustomize_features_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("namePrefix: x-\nresources: []\n")

    with pytest.raises(InfraError, match=r"not supported by the offline renderer: \['namePrefix'\]"):
        render(tmp_path)


def replace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


BROKEN = {
    "unknown field": (
        replace("infra/k8s/base/inventory/deployment.yaml", "containerPort: 8102", "containerPortt: 8102"),
        "Deployment/inventory (infra/k8s/base/inventory/deployment.yaml): "
        "spec.template.spec.containers.0.ports.0:",
    ),
    "wrong type": (
        replace("infra/k8s/base/promotion/hpa.yaml", "averageUtilization: 70", "averageUtilization: seventy"),
        "HorizontalPodAutoscaler/promotion (infra/k8s/base/promotion/hpa.yaml): "
        "spec.metrics.0.resource.target.averageUtilization: 'seventy' is not of type 'integer'",
    ),
    "selector matching no pods": (
        replace(
            "infra/k8s/base/order-ledger/service.yaml",
            "app.kubernetes.io/name: order-ledger\n  ports",
            "app.kubernetes.io/name: order-ledgr\n  ports",
        ),
        "Service/order-ledger (infra/k8s/base/order-ledger/service.yaml): "
        "selector {'app.kubernetes.io/name': 'order-ledgr'} matches no Deployment's pods",
    ),
    "deployment without a network policy": (
        replace("infra/k8s/base/promotion/kustomization.yaml", "- networkpolicy.yaml\n", ""),
        "Deployment/promotion: needs a NetworkPolicy",
    ),
    "probe on an undeclared port": (
        replace(
            "infra/k8s/base/master-data/deployment.yaml",
            "path: /health/ready\n            port: http",
            "path: /health/ready\n            port: web",
        ),
        "container master-data: readinessProbe needs an httpGet on a declared port",
    ),
    "unknown secret": (
        replace(
            "infra/k8s/base/reconciliation/deployment.yaml",
            "name: pg-reconciliation-app",
            "name: pg-recon-app",
        ),
        "RETAIL_SYNC_RECONCILIATION_DATABASE_URL reads unknown Secret 'pg-recon-app'",
    ),
    "database cluster without instances": (
        replace("infra/postgres/inventory.yaml", "instances: 3", "instances: 0"),
        "Cluster/pg-inventory (infra/postgres/inventory.yaml): spec.instances must be a positive integer",
    ),
    "nats without fsync always": (
        replace("infra/nats/helm-values.yaml", "sync_interval: always", "sync_interval: 2m"),
        "infra/nats/helm-values.yaml: config.jetstream.merge.sync_interval must be `always`",
    ),
    "accounts.conf the server cannot parse": (
        replace("infra/nats/accounts.conf", "user: promotion", "usr: promotion"),
        "infra/nats/accounts.conf: nats-server -t: nats-server: ",
    ),
    "service user missing from accounts.conf": (
        replace("infra/nats/accounts.conf", "user: inventory", "user: stock"),
        "Deployment/inventory (infra/k8s/base/inventory/deployment.yaml) container inventory: "
        "RETAIL_SYNC_NATS_URL must name",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_infra_check_fails_on_a_broken_manifest(case: str, tmp_path: Path) -> None:
    mutate, expected = BROKEN[case]
    shutil.copytree(REPO / "infra", tmp_path / "infra")
    mutate(tmp_path)

    result = CliRunner().invoke(cli, ["infra", "check", "--root", str(tmp_path)])

    assert result.exit_code == 1
    assert expected in result.output
    assert "infra valid" not in result.output
