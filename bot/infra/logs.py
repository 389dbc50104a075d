"""Logging set-up: one JSON object per line, tagged with the request and the conversation being handled;
phone numbers and e-mail addresses never reach a log line in clear.

The ids travel in context variables, so every line emitted while a request, a WebSocket or a conversation
turn is handled carries them, including lines from threads (anyio copies the context into its workers)
and from tasks started meanwhile (asyncio copies it into new tasks).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

# "%2B62" too: httpx logs request URLs, and a phone in a query string arrives percent-encoded.
_PHONE = re.compile(r"(?<![\w%])(\+62|%2[Bb]62|62|0)(8\d)[\d\s\-]{5,12}(\d{3})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)
_CONTEXT = (("request_id", request_id_var), ("conversation_id", conversation_id_var))


def mask_personal_data(text: str) -> str:
    text = _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Tag every log line emitted inside with this request id."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


@contextmanager
def conversation_context(conversation_id: str) -> Iterator[None]:
    """Tag every log line emitted inside with this conversation's public id."""
    token = conversation_id_var.set(conversation_id)
    try:
        yield
    finally:
        conversation_id_var.reset(token)


class ContextFilter(logging.Filter):
    """Copies the request and conversation ids onto the record where it is emitted: a handler that formats
    later, elsewhere (a queue), would no longer see the context variables."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT:
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


_TRACEBACKS = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Masks the formatted message (arguments included) and the exception text: an exception's message
    often quotes the input that failed (a phone, an address, SQL parameters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: the handler reports it, as logging does
            return True
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so they print the masked traceback.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC), level, logger, message, request_id and conversation_id
    when known, exc (the traceback) when there is one. Masks again, so it is safe without the filter."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
        }
        for name, var in _CONTEXT:
            value = getattr(record, name, None) or var.get()
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = mask_personal_data(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask_personal_data(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(PersonalDataFilter())
    return handler


def configure_logging(level: int = logging.INFO) -> None:
    """The gateway's logging: JSON lines on stderr for every logger, uvicorn's included."""
    root = logging.getLogger()
    root.handlers[:] = [json_handler()]
    root.setLevel(level)
    # Uvicorn's default config gives its loggers plain-text handlers of their own: route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True


def mask_existing_handlers() -> None:
    """Mask personal data in a logging set-up somebody else made (rasa_sdk's, in the action server)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
