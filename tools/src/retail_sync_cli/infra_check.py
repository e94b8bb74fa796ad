"""`retail-sync infra check`: render the kustomize overlays and validate every manifest, offline.

No kustomize binary and no network: `render` is a small Python implementation of the kustomize
subset that infra/k8s uses (resources, namespace, labels, images, configMapGenerator with
disableNameSuffixHash, strategic-merge patches with optional targets and `$patch: delete`); any
other kustomization field is refused, so the renderer never silently differs from kustomize.
Built-in kinds are validated against the Kubernetes JSON schemas bundled with kubernetes-validate
(strict: unknown fields fail); CloudNativePG clusters, KEDA ScaledObjects, the NATS Helm values
and accounts.conf get structural checks; then cross-references (selectors, probes, Secrets,
ConfigMaps, scale targets) are checked across each rendered overlay.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import kubernetes_validate
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
KUBERNETES_VERSION = "1.31"
# Secrets created by the operator of the cluster (docs/deploy.md); `<cluster>-app` come from CloudNativePG.
EXTERNAL_SECRETS = {"retail-sync-nats-users", "retail-sync-bootstrap"}
_KUSTOMIZATION_FIELDS = {
    "apiVersion", "kind", "resources", "namespace", "labels", "images",
    "configMapGenerator", "generatorOptions", "patches",
}  # fmt: skip
_MERGE_KEYS = ("name", "mountPath", "containerPort", "port")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: much faster
_SOURCE = "retail-sync.io/rendered-from"  # removed again before render() returns
Manifest = dict[str, Any]


class InfraError(Exception):
    """A manifest or kustomization that is invalid or uses what the renderer does not support."""


# -- rendering (the kustomize subset) -------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """One manifest of a rendered overlay and the file it came from (for messages)."""

    source: str
    manifest: Manifest

    @property
    def label(self) -> str:
        return f"{self.manifest['kind']}/{self.manifest['metadata'].get('name')} ({self.source})"


def render(directory: Path, root: Path = REPO_ROOT) -> list[Rendered]:
    """The manifests `kustomize build directory` gives, for the supported subset; sources are
    named relative to `root`."""
    rendered = []
    for manifest in _render(directory.resolve()):
        annotations = manifest["metadata"]["annotations"]
        source = annotations.pop(_SOURCE)
        if not annotations:
            del manifest["metadata"]["annotations"]
        rendered.append(Rendered(source=_relative(Path(source), root), manifest=manifest))
    return rendered


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _render(directory: Path) -> list[Manifest]:
    kustomization = _load_kustomization(directory)
    manifests: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        manifests += _render(path) if path.is_dir() else _load_documents(path)
    for generator in kustomization.get("configMapGenerator", []):
        _generate_config_map(directory, kustomization, generator, manifests)
    for patch in kustomization.get("patches", []):
        manifests = _apply_patch(directory, patch, manifests)
    if namespace := kustomization.get("namespace"):
        for manifest in manifests:
            manifest["metadata"]["namespace"] = namespace
    for label_set in kustomization.get("labels", []):
        _add_labels(label_set, manifests)
    for image in kustomization.get("images", []):
        _set_image(image, manifests)
    return manifests


def _load_kustomization(directory: Path) -> dict[str, Any]:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise InfraError(f"{directory}: no kustomization.yaml")
    kustomization = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unsupported = set(kustomization) - _KUSTOMIZATION_FIELDS
    if unsupported:
        raise InfraError(f"{path}: fields not supported by the offline renderer: {sorted(unsupported)}")
    return kustomization


def _load_documents(path: Path) -> list[Manifest]:
    stat = path.stat()
    documents = copy.deepcopy(_parse_yaml_file(path, stat.st_mtime_ns, stat.st_size))
    for doc in documents:
        if not isinstance(doc, dict) or "kind" not in doc or "metadata" not in doc:
            raise InfraError(f"{path}: a document without kind or metadata")
        doc.setdefault("metadata", {}).setdefault("annotations", {})[_SOURCE] = str(path)
    return documents


@functools.lru_cache(maxsize=256)
def _parse_yaml_file(path: Path, _mtime_ns: int, _size: int) -> list[Any]:
    """Parsed once per file version (several overlays share the base)."""
    try:
        return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_LOADER) if doc]
    except yaml.YAMLError as error:
        raise InfraError(f"{path}: not YAML: {error}") from None


def _generate_config_map(
    directory: Path, kustomization: dict[str, Any], generator: dict[str, Any], manifests: list[Manifest]
) -> None:
    if not kustomization.get("generatorOptions", {}).get("disableNameSuffixHash"):
        raise InfraError(
            f"{directory}: configMapGenerator needs generatorOptions.disableNameSuffixHash: true"
        )
    data: dict[str, str] = {}
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for file_name in generator.get("files", []):
        data[Path(file_name).name] = (directory / file_name).read_text(encoding="utf-8")
    name = generator["name"]
    existing = [m for m in manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == name]
    if generator.get("behavior", "create") == "merge":
        if not existing:
            raise InfraError(
                f"{directory}: configMapGenerator merges into {name!r}, which no resource defines"
            )
        existing[0].setdefault("data", {}).update(data)
        return
    metadata = {"name": name, "annotations": {_SOURCE: str(directory / "kustomization.yaml")}}
    manifests.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data})


def _apply_patch(directory: Path, patch: dict[str, Any], manifests: list[Manifest]) -> list[Manifest]:
    text = (directory / patch["path"]).read_text(encoding="utf-8") if "path" in patch else patch["patch"]
    for document in (doc for doc in yaml.safe_load_all(text) if doc):
        if not isinstance(document, dict):
            raise InfraError(f"{directory}: only strategic-merge patches are supported")
        target = patch.get("target") or {
            "kind": document["kind"],
            "name": re.escape(document["metadata"]["name"]),
        }
        matched = [m for m in manifests if _matches(target, m)]
        if not matched:
            raise InfraError(f"{directory}: patch target {target} matches no resource")
        if document.get("$patch") == "delete":
            manifests = [m for m in manifests if not any(m is hit for hit in matched)]
            continue
        body = {k: v for k, v in document.items() if k not in ("apiVersion", "kind", "metadata")}
        for manifest in matched:
            _merge(manifest, body, builtin=_builtin(manifest))
    return manifests


def _builtin(manifest: Manifest) -> bool:
    """Kubernetes' own kinds (core, apps, autoscaling, *.k8s.io); custom resources merge as JSON."""
    group = manifest["apiVersion"].rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def _matches(target: dict[str, Any], manifest: Manifest) -> bool:
    group = manifest["apiVersion"].rpartition("/")[0]
    return (
        target.get("kind", manifest["kind"]) == manifest["kind"]
        and target.get("group", group) == group
        and re.fullmatch(target.get("name", ".*"), manifest["metadata"]["name"]) is not None
    )


def _merge(into: dict[str, Any], patch: dict[str, Any], *, builtin: bool) -> None:
    """Strategic merge for built-in kinds (lists of named items merge by key), JSON merge otherwise."""
    for key, value in patch.items():
        current = into.get(key)
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            _merge(current, value, builtin=builtin)
        elif builtin and isinstance(value, list) and isinstance(current, list) and _merge_key(current, value):
            merge_key = _merge_key(current, value)
            for item in value:
                same = [old for old in current if old.get(merge_key) == item.get(merge_key)]
                if same:
                    _merge(same[0], item, builtin=builtin)
                else:
                    current.append(copy.deepcopy(item))
        else:
            into[key] = copy.deepcopy(value)


def _merge_key(current: list[Any], patch: list[Any]) -> str | None:
    items = current + patch
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    return next((key for key in _MERGE_KEYS if all(key in item for item in items)), None)


def _add_labels(label_set: dict[str, Any], manifests: list[Manifest]) -> None:
    if label_set.get("includeSelectors"):
        raise InfraError("labels with includeSelectors are not supported by the offline renderer")
    for manifest in manifests:
        manifest["metadata"].setdefault("labels", {}).update(label_set["pairs"])
        template = manifest.get("spec", {}).get("template")
        if label_set.get("includeTemplates") and isinstance(template, dict):
            template.setdefault("metadata", {}).setdefault("labels", {}).update(label_set["pairs"])


def _set_image(image: dict[str, Any], manifests: list[Manifest]) -> None:
    for container in (c for m in manifests for c in _containers(m)):
        name, _, _tag = container["image"].partition(":")
        if name == image["name"]:
            container["image"] = f"{image.get('newName', name)}:{image['newTag']}"


def _pod_spec(manifest: Manifest) -> dict[str, Any] | None:
    if manifest["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        spec: dict[str, Any] = manifest["spec"]["template"]["spec"]
        return spec
    return None


def _containers(manifest: Manifest) -> Iterator[dict[str, Any]]:
    spec = _pod_spec(manifest)
    if spec is not None:
        yield from spec.get("initContainers", [])
        yield from spec.get("containers", [])


# -- validation -----------------------------------------------------------------------------------


@dataclass
class Report:
    """Problems found, each naming the manifest or file at fault."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def add(self, where: str, problem: str) -> None:
        if f"{where}: {problem}" not in self.problems:  # a base file is rendered by several overlays
            self.problems.append(f"{where}: {problem}")


def validate_manifests(rendered: list[Rendered], report: Report) -> None:
    """Schema-validate each manifest, then check the references between them."""
    for item in rendered:
        manifest = item.manifest
        if manifest["kind"] in _CUSTOM_CHECKS:
            _CUSTOM_CHECKS[manifest["kind"]](item, report)
            continue
        if problem := _schema_problem(json.dumps(manifest, sort_keys=True)):
            report.add(item.label, problem)
    _check_references(rendered, report)


@functools.lru_cache(maxsize=1024)
def _schema_problem(manifest_json: str) -> str | None:
    """The first schema violation of a manifest, or None (cached: overlays share most manifests)."""
    manifest = json.loads(manifest_json)
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path) or "(root)"
        return f"{path}: {error.message}"
    except kubernetes_validate.SchemaNotFoundError:
        return f"no schema for {manifest['apiVersion']} {manifest['kind']}"
    return None


def _check_cnpg_cluster(item: Rendered, report: Report) -> None:
    spec = item.manifest.get("spec", {})
    if item.manifest["apiVersion"] != "postgresql.cnpg.io/v1":
        report.add(item.label, "apiVersion must be postgresql.cnpg.io/v1")
    instances = spec.get("instances")
    if not isinstance(instances, int) or instances < 1:
        report.add(item.label, "spec.instances must be a positive integer")
        return
    if spec.get("maxSyncReplicas", 0) >= instances or spec.get("minSyncReplicas", 0) > spec.get(
        "maxSyncReplicas", 0
    ):
        report.add(item.label, "need minSyncReplicas <= maxSyncReplicas < instances")
    if not re.fullmatch(r"\d+(Mi|Gi|Ti)", str(spec.get("storage", {}).get("size", ""))):
        report.add(item.label, "spec.storage.size must be a quantity such as 20Gi")
    initdb = spec.get("bootstrap", {}).get("initdb", {})
    if not re.fullmatch(r"retail_[a-z_]+", str(initdb.get("database", ""))) or not initdb.get("owner"):
        report.add(item.label, "spec.bootstrap.initdb needs database retail_<service> and an owner")


def _check_scaled_object(item: Rendered, report: Report) -> None:
    spec = item.manifest.get("spec", {})
    if not spec.get("scaleTargetRef", {}).get("name"):
        report.add(item.label, "spec.scaleTargetRef.name is required")
    if not 1 <= spec.get("minReplicaCount", 0) <= spec.get("maxReplicaCount", 0):
        report.add(item.label, "need 1 <= minReplicaCount <= maxReplicaCount")
    needed = {"natsServerMonitoringEndpoint", "account", "stream", "consumer", "lagThreshold"}
    for index, trigger in enumerate(spec.get("triggers") or [{}]):
        if trigger.get("type") == "nats-jetstream" and needed - set(trigger.get("metadata", {})):
            report.add(item.label, f"triggers[{index}] lacks {sorted(needed - set(trigger['metadata']))}")
        elif trigger.get("type") not in ("nats-jetstream", "cpu", "memory"):
            report.add(item.label, f"triggers[{index}].type {trigger.get('type')!r} is not expected here")


_CUSTOM_CHECKS = {"Cluster": _check_cnpg_cluster, "ScaledObject": _check_scaled_object}


def _check_references(rendered: list[Rendered], report: Report) -> None:
    by_kind: dict[str, dict[str, Rendered]] = {}
    for item in rendered:
        by_kind.setdefault(item.manifest["kind"], {})[item.manifest["metadata"]["name"]] = item
    deployments = by_kind.get("Deployment", {})
    pod_labels = [d.manifest["spec"]["template"]["metadata"].get("labels", {}) for d in deployments.values()]
    secrets = EXTERNAL_SECRETS | {f"{name}-app" for name in by_kind.get("Cluster", {})}
    scaled: dict[str, str] = {}
    for kind in ("HorizontalPodAutoscaler", "ScaledObject"):
        for item in by_kind.get(kind, {}).values():
            target = item.manifest["spec"]["scaleTargetRef"]["name"]
            if target not in deployments:
                report.add(item.label, f"scales Deployment {target!r}, which is not rendered")
            if target in scaled:
                report.add(item.label, f"Deployment {target!r} is also scaled by {scaled[target]}")
            scaled[target] = item.label
    for item in rendered:
        manifest, selector = item.manifest, _selector(item.manifest)
        if selector is not None and not any(_subset(selector, labels) for labels in pod_labels):
            report.add(item.label, f"selector {selector} matches no Deployment's pods")
        if manifest["kind"] == "Deployment":
            _check_deployment(item, set(by_kind.get("ConfigMap", {})), secrets, report)
    guarded = {
        kind: _selected_names(by_kind.get(kind, {})) for kind in ("PodDisruptionBudget", "NetworkPolicy")
    }
    for name in deployments:
        if name not in scaled:
            report.add(f"Deployment/{name}", "needs an autoscaler (HorizontalPodAutoscaler or ScaledObject)")
        for kind, names in guarded.items():
            if name not in names:
                report.add(f"Deployment/{name}", f"needs a {kind}")


def _selected_names(items: dict[str, Rendered]) -> set[str]:
    """The `app.kubernetes.io/name` each of `items` selects."""
    return {(_selector(item.manifest) or {}).get("app.kubernetes.io/name", "") for item in items.values()}


def _selector(manifest: Manifest) -> dict[str, str] | None:
    spec = manifest.get("spec", {})
    if manifest["kind"] == "Service":
        selected: dict[str, str] | None = spec.get("selector")
        return selected
    if manifest["kind"] == "PodDisruptionBudget":
        return dict(spec["selector"]["matchLabels"])
    if manifest["kind"] == "NetworkPolicy":
        return dict(spec["podSelector"]["matchLabels"])
    return None


def _subset(wanted: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in wanted.items())


def _check_deployment(item: Rendered, config_maps: set[str], secrets: set[str], report: Report) -> None:
    spec = item.manifest["spec"]["template"]["spec"]
    if not spec.get("securityContext", {}).get("runAsNonRoot"):
        report.add(item.label, "pod securityContext.runAsNonRoot must be true")
    for container in spec.get("initContainers", []) + spec["containers"]:
        where = f"{item.label} container {container['name']}"
        security = container.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False or not security.get(
            "readOnlyRootFilesystem"
        ):
            report.add(where, "needs allowPrivilegeEscalation: false and readOnlyRootFilesystem: true")
        resources = container.get("resources", {})
        if not {"cpu", "memory"} <= set(resources.get("requests", {})) or "memory" not in resources.get(
            "limits", {}
        ):
            report.add(where, "needs cpu and memory requests and a memory limit")
        for source in container.get("envFrom", []):
            if source.get("configMapRef", {}).get("name") not in config_maps:
                report.add(where, f"envFrom names a ConfigMap that is not rendered: {source}")
        for variable in container.get("env", []):
            secret = variable.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
            if secret is not None and secret not in secrets:
                report.add(where, f"{variable['name']} reads unknown Secret {secret!r}")
    for container in spec["containers"]:
        port_names = {port.get("name") for port in container.get("ports", [])}
        for probe in ("readinessProbe", "livenessProbe"):
            port = container.get(probe, {}).get("httpGet", {}).get("port")
            if port is None or (isinstance(port, str) and port not in port_names):
                report.add(
                    f"{item.label} container {container['name']}",
                    f"{probe} needs an httpGet on a declared port",
                )


# -- NATS (Helm values, accounts) and Dockerfiles -------------------------------------------------


def check_nats(root: Path, rendered: list[Rendered], report: Report) -> None:
    """The Helm values build a 3-node JetStream cluster with fsync-always that loads accounts.conf,
    every password variable in accounts.conf comes from the Secret, every service's user exists."""
    values_path, accounts_path = root / "infra/nats/helm-values.yaml", root / "infra/nats/accounts.conf"
    values, where = yaml.safe_load(values_path.read_text(encoding="utf-8")), _relative(values_path, root)
    config, container = values.get("config", {}), values.get("container", {})
    if not config.get("cluster", {}).get("enabled") or config["cluster"].get("replicas") != 3:
        report.add(where, "config.cluster must be enabled with replicas: 3 (R3 streams)")
    jetstream = config.get("jetstream", {})
    store = jetstream.get("fileStore", {})
    if not (jetstream.get("enabled") and store.get("enabled") and store.get("pvc", {}).get("enabled")):
        report.add(where, "config.jetstream with fileStore on a PVC must be enabled")
    elif _gibibytes(store.get("maxSize", "0Gi")) >= _gibibytes(store["pvc"].get("size", "0Gi")):
        report.add(where, "config.jetstream.fileStore.maxSize must stay below pvc.size")
    if jetstream.get("merge", {}).get("sync_interval") != "always":
        report.add(
            where, "config.jetstream.merge.sync_interval must be `always` (infra/nats/nats-server.conf)"
        )
    include = str(config.get("merge", {}).get("$include", ""))
    mount_dir = os.path.normpath(os.path.join("/etc/nats-config", os.path.dirname(include)))
    mounts = [p.get("value", {}) for p in container.get("patch", []) if p.get("path") == "/volumeMounts/-"]
    volumes = [p.get("value", {}) for p in values.get("podTemplate", {}).get("patch", [])]
    if not include.endswith("accounts.conf") or not any(m.get("mountPath") == mount_dir for m in mounts):
        report.add(
            where, f"config.merge.$include must load accounts.conf from a volume mounted at {mount_dir}"
        )
    generated = {r.manifest["metadata"]["name"] for r in rendered if r.manifest["kind"] == "ConfigMap"}
    for volume in volumes:
        if volume.get("configMap", {}).get("name") not in generated:
            report.add(where, f"podTemplate volume {volume.get('name')} names a ConfigMap no overlay renders")
    accounts = accounts_path.read_text(encoding="utf-8")
    env = container.get("env", {})
    for variable in sorted(set(re.findall(r"password:\s*\$(\w+)", accounts))):
        ref = (env.get(variable) or {}).get("valueFrom", {}).get("secretKeyRef", {})
        if ref.get("name") not in EXTERNAL_SECRETS:
            report.add(
                where, f"container.env.{variable} must come from a secretKeyRef (accounts.conf uses it)"
            )
    users = set(re.findall(r"\buser:\s*(\w+)", accounts))
    for item in rendered:
        for container_spec in _containers(item.manifest):
            _check_nats_user(item, container_spec, users, report)
    variables = sorted(set(re.findall(r"\$(NATS_PASSWORD_\w+)", accounts)))
    _parse_with_nats_server(accounts_path, _relative(accounts_path, root), variables, report)


def _gibibytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi|Ti)", str(quantity)).groups()  # type: ignore[union-attr]
    return int(number) * {"Mi": 1 / 1024, "Gi": 1, "Ti": 1024}[unit]


def _check_nats_user(item: Rendered, container: dict[str, Any], users: set[str], report: Report) -> None:
    env = {variable["name"]: variable for variable in container.get("env", [])}
    url = env.get("RETAIL_SYNC_NATS_URL", {}).get("value")
    if url is None:
        return
    user = re.match(r"nats://(\w+):\$\(NATS_PASSWORD\)@", url)
    key = env.get("NATS_PASSWORD", {}).get("valueFrom", {}).get("secretKeyRef", {}).get("key")
    if user is None or user.group(1) not in users or key != user.group(1):
        report.add(
            f"{item.label} container {container['name']}",
            "RETAIL_SYNC_NATS_URL must name an accounts.conf user whose password is NATS_PASSWORD",
        )


def _parse_with_nats_server(accounts: Path, where: str, variables: list[str], report: Report) -> None:
    """`nats-server -t`: the real parser (variables get throw-away values, as the Secret would give)."""
    from retail_platform.embedded import nats_server_binary

    env = dict(os.environ) | {variable: "parse-check-only" for variable in variables}
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(accounts)], env=env, capture_output=True, text=True, timeout=30
    )
    if result.returncode != 0:
        report.add(where, f"nats-server -t: {(result.stderr or result.stdout).strip()}")


def check_dockerfiles(root: Path, rendered: list[Rendered], report: Report) -> None:
    """Each Deployment's image has infra/docker/<name>.Dockerfile, syncing its own package as the
    pod's (non-root) user."""
    for item in (r for r in rendered if r.manifest["kind"] == "Deployment"):
        name = item.manifest["metadata"]["name"]
        path = root / "infra/docker" / f"{name}.Dockerfile"
        if not path.is_file():
            report.add(item.label, f"no {_relative(path, root)}")
            continue
        text = path.read_text(encoding="utf-8")
        uid = item.manifest["spec"]["template"]["spec"]["securityContext"].get("runAsUser")
        if f"--package retail-sync-{name}" not in text or not re.search(rf"^USER {uid}(:\d+)?$", text, re.M):
            report.add(
                _relative(path, root),
                f"must `uv sync ... --package retail-sync-{name}` and run as USER {uid}",
            )


# -- the command ----------------------------------------------------------------------------------


def check(root: Path = REPO_ROOT) -> Report:
    """Render every overlay (and each addon on top of prod) and run every check."""
    report, k8s = Report(), root / "infra/k8s"
    targets = {
        _relative(path, root): [path] for path in sorted((k8s / "overlays").iterdir()) if path.is_dir()
    }
    overlay_texts = "".join(
        p.read_text(encoding="utf-8") for p in (k8s / "overlays").glob("*/kustomization.yaml")
    )
    for addon in sorted(p for p in (k8s / "addons").iterdir() if p.is_dir()):
        if f"addons/{addon.name}" in overlay_texts:
            continue  # validated as part of the overlay that uses it
        targets[f"{_relative(k8s / 'overlays/prod', root)} + {_relative(addon, root)}"] = [
            k8s / "overlays/prod",
            addon,
        ]
    everything: list[Rendered] = []
    for name, directories in targets.items():
        try:
            rendered = [item for directory in directories for item in render(directory, root)]
        except (InfraError, OSError, KeyError, yaml.YAMLError) as error:
            report.add(name, f"does not render: {error}")
            continue
        before = len(report.problems)
        validate_manifests(rendered, report)
        check_dockerfiles(root, rendered, report)
        everything += rendered
        report.checked.append(
            f"{name}: {len(rendered)} manifests, {len(report.problems) - before} problem(s)"
        )
    check_nats(root, everything, report)
    return report


@click.group()
def infra() -> None:
    """Deployment artefacts under infra/ (Kubernetes, NATS, PostgreSQL, Dockerfiles)."""


@infra.command("check")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=REPO_ROOT)
def infra_check(root: Path) -> None:
    """Render the kustomize overlays offline and validate every manifest (Kubernetes schemas,
    CloudNativePG, KEDA, NATS Helm values and accounts, Dockerfiles)."""
    report = check(root)
    for line in report.checked:
        click.echo(line)
    for problem in report.problems:
        click.echo(f"INVALID {problem}", err=True)
    if report.problems:
        sys.exit(1)
    click.echo(f"infra valid (Kubernetes {KUBERNETES_VERSION} schemas)")
