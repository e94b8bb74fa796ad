"""Request and file size limits, and hostile XML through the services' own upload endpoints.

- A JSON body over 10 MiB is refused with 413 problem+json by every service, whether it declares its
  length or streams it in chunks.
- Settlement and bank files may be up to 512 MiB (reconciliation): a larger declared length is refused
  before the body is read.
- Billion laughs and external entities in a camt.053 upload (reconciliation) and a POSLog upload (the
  ledger) are refused with a clear problem naming the line, quickly, and nothing of /etc/passwd leaks.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from fault_system import System

pytestmark = pytest.mark.integration
MIB = 1024 * 1024
JSON_ENDPOINTS = {
    "master_data": "/v1/master/item/batches",
    "promotion": "/v1/promotions",
    "inventory": "/v1/movements/batches",
    "order_ledger": "/v1/sales/transactions/batches",
}  # reconciliation takes files up to 512 MiB on its routes: test_a_file_over_512_mib...
CAMT053 = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">{}</Document>'
POSLOG = b'<POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/">{}</POSLog>'
LAUGHS = b"".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'.encode() for n in range(1, 10)
)


def billion_laughs(root: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + LAUGHS
        + b"]>\n"
        + root.replace(b"{}", b"&lol9;")
    )


def external_entity(root: bytes) -> bytes:
    return b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + root.replace(
        b"{}", b"&e;"
    )


def problem(response: httpx.Response) -> dict[str, object]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, object] = response.json()
    assert body["status"] == response.status_code
    return body


@pytest.mark.parametrize("service", sorted(JSON_ENDPOINTS))
def test_an_11_mib_json_body_is_refused_with_413(hostile_system: System, service: str) -> None:
    body = b'{"records": ["' + b"x" * (11 * MIB) + b'"]}'
    url = hostile_system.url(service) + JSON_ENDPOINTS[service]
    headers = {"X-API-Key": hostile_system.admin_key, "Content-Type": "application/json"}
    declared = httpx.post(url, content=body, headers=headers, timeout=60)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), MIB):
            yield body[start : start + MIB]

    streamed = httpx.post(url, content=chunks(), headers=headers, timeout=60)
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert problem(declared)["title"] == "Request Entity Too Large"
    assert problem(streamed)["title"] == "Request Entity Too Large"


def raw_post(
    url: str, path: str, headers: dict[str, str], declared_length: int, sent: bytes
) -> tuple[int, bytes]:
    """POST declaring ``declared_length`` bytes but sending only ``sent``: the answer comes at once."""
    parsed = httpx.URL(url)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {parsed.host}\r\n{head}Content-Length: {declared_length}\r\n\r\n"
    ).encode() + sent
    with socket.create_connection((parsed.host, parsed.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 4 + 20:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer


def test_a_file_over_512_mib_is_refused_before_it_is_read(hostile_system: System) -> None:
    started = time.monotonic()
    status, answer = raw_post(
        hostile_system.url("reconciliation"),
        "/v1/recon/files?legal_entity_id=LE-US&filename=huge.csv",
        {"X-API-Key": hostile_system.admin_key, "Content-Type": "text/csv"},
        declared_length=600 * MIB,
        sent=b"Company Account,Merchant Account\n",
    )
    assert status == 413
    assert b"application/problem+json" in answer
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("service", "path", "root"),
    [
        ("reconciliation", "/v1/recon/files?legal_entity_id=LE-US&filename=statement.xml", CAMT053),
        ("order_ledger", "/v1/sales/poslog?legal_entity_id=LE-US&timezone=UTC", POSLOG),
    ],
    ids=["camt053-upload", "poslog-upload"],
)
@pytest.mark.parametrize(
    "attack", [billion_laughs, external_entity], ids=["billion-laughs", "external-entity"]
)
def test_hostile_xml_uploads_are_refused_quickly_and_leak_nothing(
    hostile_system: System, service: str, path: str, root: bytes, attack: Callable[[bytes], bytes]
) -> None:
    payload = attack(root)
    started = time.monotonic()
    response = httpx.post(
        hostile_system.url(service) + path,
        content=payload,
        headers={"X-API-Key": hostile_system.admin_key, "Content-Type": "application/xml"},
        timeout=30,
    )
    took = time.monotonic() - started
    body = response.json()
    if service == "order_ledger":  # a batch intake: 200 with the outcome of each record
        assert response.status_code == 200
        [outcome] = body["outcomes"]
        assert (outcome["status"], [e["field"] for e in outcome["errors"]]) == ("rejected", ["payload"])
    else:  # a file intake: 422 with every bad line
        assert (response.status_code, body["status"], body["outcome"]) == (422, 422, "rejected")
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [problem["line"] for problem in body["problems"]] == [2]  # the DOCTYPE line
    assert "unsafe XML refused" in response.text
    assert b"root:" not in response.content
    assert took < 5
