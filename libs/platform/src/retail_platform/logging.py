"""Structured JSON logs on stdout: timestamp, level, service, correlation id; secrets masked.

Standard-library loggers (uvicorn, sqlalchemy, nats) go through the same processors, so every line a
service writes is one JSON object.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

MASK = "***"
_SECRET_KEY_NAMES = frozenset(
    {"api_key", "authorization", "x_api_key", "bootstrap_api_key", "password", "secret", "token"}
)
_API_KEY_IN_TEXT = re.compile(r"\brs_([0-9a-f]+)_[A-Za-z0-9_\-]+")


def bind_correlation_id(correlation_id: str | None) -> None:
    """Make `correlation_id` appear on every log line of the current task."""
    correlation_id_var.set(correlation_id)


def _is_secret_name(name: str) -> bool:
    normal = name.lower().replace("-", "_")
    return normal in _SECRET_KEY_NAMES or normal.endswith("api_key")


def mask_secrets(value: Any) -> Any:
    """A copy of `value` with secret-named entries masked and API keys in text cut to their key id."""
    if isinstance(value, str):
        return _API_KEY_IN_TEXT.sub(rf"rs_\1_{MASK}", value)
    if isinstance(value, dict):
        return {
            key: MASK if isinstance(key, str) and _is_secret_name(key) else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(mask_secrets(item) for item in value)
    return value


def _mask_processor(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    masked: MutableMapping[str, Any] = mask_secrets(dict(event_dict))
    return masked


def _add_correlation_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    correlation_id = correlation_id_var.get()
    if correlation_id is not None:
        event_dict.setdefault("correlation_id", correlation_id)
    return event_dict


def _drop_color_message(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event_dict.pop("color_message", None)  # uvicorn's ANSI-coloured duplicate of the message
    return event_dict


def _add_service(service_name: str) -> structlog.types.Processor:
    def add(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service_name)
        return event_dict

    return add


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever `sys.stdout` is now (it may be replaced after configuration, e.g. by pytest)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(service_name: str, level: str = "INFO", json: bool = True) -> None:
    """Configure structlog and the standard library root logger; safe to call more than once."""
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service(service_name),
        _add_correlation_id,
        structlog.processors.format_exc_info,
        _mask_processor,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(),  # resolves sys.stdout at each write
        cache_logger_on_first_use=False,
    )
    handler = _StdoutHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.ExtraAdder(), _drop_color_message, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
