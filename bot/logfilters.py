"""Keep users' words, facts and ids out of Rasa's and the action server's logs.

Rasa logs the whole message text on REST channel errors (structlog, with the locals of every
frame in JSON tracebacks), sender ids in debug lines ("… sender id 'web:…'"), and Sanic may
log request paths (`/conversations/<id>/…?token=…`). Installed at process start, before Rasa
configures logging:

- every stdlib log record is scrubbed where it is made (a record factory): quoted values, any
  Chinese text, `token=…`, conversation paths, things that look like sender ids; an exception's
  text keeps its type and frames but loses its message;
- structlog (Rasa's newer log calls) keeps only the event name and log level: every other
  field (text, sender_id, slots, …) is replaced by its key's name, and tracebacks carry no locals.
"""
from __future__ import annotations

import logging
import re
import traceback
import warnings

REDACTED = "«redacted»"

_PATTERNS = [
    (re.compile(r"token=[^&\s'\"]*"), "token=" + REDACTED),
    (re.compile(r"/conversations/[^/\s?'\"]+"), "/conversations/" + REDACTED),
    (re.compile(r"'(?:[^'\\]|\\.)*'"), "'" + REDACTED + "'"),
    (re.compile(r'"(?:[^"\\]|\\.)*"'), '"' + REDACTED + '"'),
    # sender ids the gateway gives (web:…, wx:…, op:…, kiosk:…) and any long hex/base64 run
    (re.compile(r"\b(?:web|wx|op|kiosk|test|chat|sess)[:_][\w.:=-]+"), REDACTED),
    (re.compile(r"\b[0-9a-fA-F]{16,}\b|\b[\w-]{32,}\b"), REDACTED),
    (re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+"), REDACTED),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrubbed_exception(exc_info) -> str:
    """Type and frames of an exception, without its message (which may hold user text)."""
    etype, _value, tb = exc_info
    frames = "".join(f"  {f.filename}:{f.lineno} in {f.name}\n" for f in traceback.extract_tb(tb))
    name = getattr(etype, "__name__", str(etype))
    return scrub("Traceback (most recent call last):\n" + frames + f"{name}: {REDACTED}")


_installed = False


def install() -> None:
    """Scrub every log record this process makes from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep nothing of it
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = _scrubbed_exception(record.exc_info)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)  # warnings go through the same scrubbing
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    _patch_structlog()


_KEEP = {"event", "log_level", "level", "timestamp", "logger", "event_key"}


def _redact_event_dict(_logger, _name, event_dict):
    exc_info = event_dict.pop("exc_info", None)
    for key in list(event_dict):
        if key not in _KEEP:
            event_dict[key] = REDACTED
        elif isinstance(event_dict[key], str):
            event_dict[key] = scrub(event_dict[key])
    if exc_info:
        import sys

        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        if exc_info and exc_info[0] is not None:
            event_dict["exception"] = _scrubbed_exception(exc_info)
    return event_dict


def _render(_logger, _name, event_dict) -> str:
    """`level event key=«redacted» …` (no quotes, so the record scrubbing leaves it readable)."""
    level = event_dict.pop("log_level", event_dict.pop("level", ""))
    event = event_dict.pop("event", "")
    exception = event_dict.pop("exception", None)
    line = " ".join([str(level), str(event)] + [f"{k}={v}" for k, v in event_dict.items()])
    return line + ("\n" + exception if exception else "")


def _patch_structlog() -> None:
    """Rasa calls `rasa.utils.log_utils.configure_structlog` from its CLI; configure ours after it."""
    try:
        import structlog
        import rasa.utils.log_utils as log_utils
    except ImportError:  # the action server has no Rasa structlog config
        return

    original = log_utils.configure_structlog

    def configure_structlog(log_level=None):
        original(log_level)
        if log_level is None:
            import os
            from rasa.shared.constants import DEFAULT_LOG_LEVEL, ENV_LOG_LEVEL

            log_level = logging.getLevelName(os.environ.get(ENV_LOG_LEVEL, DEFAULT_LOG_LEVEL))
        structlog.configure(
            processors=[
                structlog.stdlib.filter_by_level,
                structlog.processors.add_log_level,
                _redact_event_dict,
                _render,
            ],
            context_class=dict,
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.make_filtering_bound_logger(log_level),
            cache_logger_on_first_use=True,
        )

    log_utils.configure_structlog = configure_structlog
    try:
        import rasa.__main__ as rasa_main

        rasa_main.configure_structlog = configure_structlog
    except ImportError:
        pass
