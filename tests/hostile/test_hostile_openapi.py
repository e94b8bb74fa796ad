"""Schemathesis against every service's own OpenAPI, over HTTP to the real service processes: valid and
invalid requests for every operation (RETAIL_SYNC_HOSTILE_EXAMPLES each, 15 by default to keep the suite
short; failures are reported unshrunk). No answer is a 500; every 4xx is RFC 9457 problem+json, and a
400 or 422 (a value at fault) names the field in `errors`.

Reconciliation's file upload answers a rejected file with problem+json too (422, `detail` naming the
first bad line), and keeps its per-line report in the `problems` member (`[{"line", "field", "reason"}]`)
so an integrator reads every bad line of the file at once."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from fault_system import SERVICES, System
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

pytestmark = pytest.mark.integration
EXAMPLES = int(os.environ.get("RETAIL_SYNC_HOSTILE_EXAMPLES", "15"))
FILE_REPORT = "POST /v1/recon/files"
FIELD_STATUSES = (400, 422)


def check(status: int, content_type: str, body: bytes, label: str) -> None:
    assert status < 500, f"{label}: {status} {body[:300]!r}"
    if status == 422 and label.startswith(FILE_REPORT):
        report = httpx.Response(status, content=body).json()
        assert report["outcome"] == "rejected", label
        assert all(isinstance(p["line"], int) and p["reason"] for p in report["problems"]), label
    if 400 <= status < 500:
        assert content_type.startswith("application/problem+json"), f"{label}: {status} {content_type}"
        problem: dict[str, Any] = httpx.Response(status, content=body).json()
        assert problem["status"] == status, label
        assert problem["title"], label
        if status in FIELD_STATUSES:
            fields = [error.get("field") for error in problem.get("errors", [])]
            assert fields, f"{label}: {status} names no field: {problem}"
            assert all(fields), f"{label}: {status} names an empty field: {problem}"


def exercise(strategy: Any, base_url: str, headers: dict[str, str], label: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        content_type = response.headers.get("content-type") or [""]
        content_type = content_type if isinstance(content_type, str) else content_type[0]
        check(response.status_code, content_type, response.content, f"{label} {case.as_curl_command()[:300]}")

    run()


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_answers_without_500_and_4xx_are_problems_naming_the_field(
    hostile_system: System, service: str, mode: GenerationMode
) -> None:
    base_url = hostile_system.url(service)
    document = httpx.get(f"{base_url}/schema/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    headers = {"X-API-Key": hostile_system.admin_key}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        label = f"{operation.method.upper()} {operation.path}"

        try:
            exercise(operation.as_strategy(generation_mode=mode), base_url, headers, label)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0][:600])
    assert operations >= 3
    report = "\n".join(failures)  # joined: pytest's diff of long strings in a list is very slow
    assert not failures, f"{len(failures)} operations misbehaved:\n{report}"
