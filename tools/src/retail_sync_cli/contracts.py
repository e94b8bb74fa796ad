"""`retail-sync contracts generate|check`: JSON Schemas and the AsyncAPI catalogue from the canonical types.

The committed files under `contracts/` are the published contracts. `check` fails when the code no longer
matches them, and says whether the drift is additive (regenerate) or breaking (publish a `vN+1` instead).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import yaml
from canon.events import EventType, all_event_types
from messaging.topology import Topology

from retail_sync_cli.contract_compat import breaking_changes


def schema_path(contracts_dir: Path, event_type: EventType[Any]) -> Path:
    return (
        contracts_dir / "events" / event_type.context / f"{event_type.name}.v{event_type.version}.schema.json"
    )


def event_schema(event_type: EventType[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = msgspec.json.schema(event_type.payload)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://retail-sync.dev/contracts/events/{event_type.context}/"
        f"{event_type.name}.v{event_type.version}.schema.json",
        "title": event_type.subject,
        "description": event_type.description,
        **schema,
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def asyncapi_document(event_types: list[EventType[Any]], topology: Topology) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type in event_types:
        message_name = f"{event_type.context}_{event_type.name}_v{event_type.version}"
        channels[message_name] = {
            "address": event_type.subject,
            "description": event_type.description,
            "x-stream": topology.stream_for(event_type.subject).name,
            "messages": {message_name: {"$ref": f"#/components/messages/{message_name}"}},
        }
        messages[message_name] = {
            "name": event_type.subject,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": {"$ref": str(schema_path(Path("."), event_type))},
        }
    headers = {
        "type": "object",
        "required": ["ce-id", "ce-type", "ce-source", "ce-time", "ce-specversion", "Nats-Msg-Id"],
        "properties": {
            name: {"type": "string"}
            for name in (
                "ce-id",
                "ce-type",
                "ce-source",
                "ce-time",
                "ce-specversion",
                "ce-subject",
                "ce-dataschema",
                "correlation-id",
                "causation-id",
                "Nats-Msg-Id",
            )
        },
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "retail-sync events",
            "version": "1.0.0",
            "description": "Subjects, streams and payloads of retail-sync (NATS JetStream).",
        },
        "servers": {"local": {"host": "127.0.0.1:4222", "protocol": "nats"}},
        "channels": channels,
        "components": {"messages": messages, "schemas": {"CloudEventsHeaders": headers}},
        "x-streams": [
            {"name": stream.name, "subjects": list(stream.subjects), "description": stream.description}
            for stream in topology.streams
        ],
    }


@dataclass
class CheckReport:
    missing: list[str]
    stale: list[str]
    breaking: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.breaking)


def expected_files(contracts_dir: Path) -> dict[Path, str]:
    event_types = all_event_types()
    files = {schema_path(contracts_dir, et): render(event_schema(et)) for et in event_types}
    asyncapi = asyncapi_document(event_types, Topology())
    files[contracts_dir / "asyncapi.yaml"] = yaml.safe_dump(asyncapi, sort_keys=True, width=110)
    return files


def check(contracts_dir: Path) -> CheckReport:
    report = CheckReport([], [], [])
    for path, text in expected_files(contracts_dir).items():
        if not path.exists():
            report.missing.append(str(path))
            continue
        committed = path.read_text(encoding="utf-8")
        if committed == text:
            continue
        report.stale.append(str(path))
        if path.suffix == ".json":
            problems = breaking_changes(json.loads(committed), json.loads(text))
            report.breaking.extend(f"{path}: {problem}" for problem in problems)
    return report


def generate(contracts_dir: Path, *, allow_breaking: bool = False) -> list[Path]:
    """Write the contracts; refuses to overwrite a published schema with a breaking change."""
    report = check(contracts_dir)
    if report.breaking and not allow_breaking:
        raise RuntimeError("breaking change to a published contract:\n" + "\n".join(report.breaking))
    written: list[Path] = []
    for path, text in expected_files(contracts_dir).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
