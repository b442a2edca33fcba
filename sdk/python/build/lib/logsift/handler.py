"""A `logging.Handler` that samples at the source: each record is decided first (a dropped one costs only
the decision), and a kept one goes to OpenTelemetry as a log record marked as the daemon's sampler marks
what it keeps — pattern id, sample count, rate and reason — so the daemon passes it as sampled upstream.
A record already decided upstream (the structlog processor marked it) is not decided again. Nothing here
raises into the application: a record the sampler fails on is sent unmarked, for the daemon to sample."""

from __future__ import annotations

import logging
import threading
from typing import Any, Optional

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry._logs import Logger, SeverityNumber

from .severity import python_level_severity
from .source_sampler import SourceSampler

PATTERN_ATTRIBUTE = "logsift.pattern.id"
SAMPLE_COUNT = "logsift.sample_count"
SAMPLE_RATE = "logsift.sample_rate"
SAMPLE_REASON = "logsift.sample_reason"

# What a LogRecord always has: not the application's fields.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {"message", "asctime", "taskName"}
_TEXT = {"WARNING": "WARN", "CRITICAL": "FATAL"}
# The export path's own loggers: their records, taken in, would go into the pipeline exporting them (and a
# debug line logged inside an export would wait on that export).
_EXPORT_LOGGERS = ("opentelemetry", "urllib3", "requests", "logsift")


def _attribute_value(value: Any) -> Any:
    if isinstance(value, (str, bool, int, float)):
        return value
    return repr(value)


class LogsiftHandler(logging.Handler):
    def __init__(self, sampler: SourceSampler, otel_logger: Logger, service: str, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.sampler = sampler
        self._logger = otel_logger
        self._service = service
        #: Records the sampler failed on (sent unsampled).
        self.failures = 0
        self._inside = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if any(name == prefix or name.startswith(prefix + ".") for prefix in _EXPORT_LOGGERS):
            return False
        return super().filter(record)

    def emit(self, record: logging.LogRecord) -> None:
        # A record logged while this thread is already emitting one is the export's own: never fed back in.
        if getattr(self._inside, "active", False):
            return
        self._inside.active = True
        try:
            self._emit(record)
        finally:
            self._inside.active = False

    def _emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            severity = python_level_severity(record.levelno)
            fields = {k: v for k, v in vars(record).items() if k not in _RESERVED}
            marks: Optional[dict] = None
            if SAMPLE_COUNT not in fields:
                span = trace.get_current_span().get_span_context()
                try:
                    decision = self.sampler.decide(self._service, message, int(record.created * 1000), severity, _TEXT.get(record.levelname, record.levelname), span.trace_id if span.is_valid else None, fields)
                except Exception:  # noqa: BLE001 - the sampler's failure is not the application's
                    self.failures += 1
                    decision = None
                if decision is not None:
                    if not decision.keep:
                        return
                    marks = {PATTERN_ATTRIBUTE: decision.pattern_id, SAMPLE_COUNT: decision.sample_count, SAMPLE_RATE: decision.sample_rate, SAMPLE_REASON: decision.reason}
            attributes = {k: _attribute_value(v) for k, v in fields.items()}
            attributes["code.function.name"] = record.funcName
            attributes["code.line.number"] = record.lineno
            if marks:
                attributes.update(marks)
            if record.exc_info and record.exc_info[0] is not None:
                attributes["exception.type"] = record.exc_info[0].__name__
                attributes["exception.message"] = str(record.exc_info[1])
            self._logger.emit(
                timestamp=int(record.created * 1e9),
                context=otel_context.get_current(),
                severity_number=SeverityNumber(severity),
                severity_text=_TEXT.get(record.levelname, record.levelname),
                body=message,
                attributes=attributes,
            )
        except Exception:  # noqa: BLE001 - logging.Handler's own convention: report, never raise
            self.handleError(record)
