"""A structlog processor that samples at the source, early in the chain (before rendering, so a dropped event
costs only the decision): a dropped event raises structlog.DropEvent; a kept one gains the daemon's marks
(pattern id, sample count, rate, reason) as fields, which LogsiftHandler then passes on without deciding again."""

from __future__ import annotations

import time
from typing import Any, MutableMapping

from opentelemetry import trace

from .handler import PATTERN_ATTRIBUTE, SAMPLE_COUNT, SAMPLE_RATE, SAMPLE_REASON
from .source_sampler import SourceSampler

_LEVELS = {"critical": (21, "FATAL"), "exception": (17, "ERROR"), "error": (17, "ERROR"), "warning": (13, "WARN"), "warn": (13, "WARN"), "info": (9, "INFO"), "debug": (5, "DEBUG"), "notset": (0, "")}


class LogsiftProcessor:
    def __init__(self, sampler: SourceSampler, service: str) -> None:
        self._sampler = sampler
        self._service = service

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        import structlog

        try:
            number, text = _LEVELS.get(str(event_dict.get("level", method_name)).lower(), (9, "INFO"))
            span = trace.get_current_span().get_span_context()
            fields = {k: v for k, v in event_dict.items() if k != "event"}
            decision = self._sampler.decide(self._service, str(event_dict.get("event", "")), int(time.time() * 1000), number, text, span.trace_id if span.is_valid else None, fields)
        except Exception:  # noqa: BLE001 - an event the sampler fails on goes on unsampled
            return event_dict
        if not decision.keep:
            raise structlog.DropEvent
        event_dict[PATTERN_ATTRIBUTE] = decision.pattern_id
        event_dict[SAMPLE_COUNT] = decision.sample_count
        event_dict[SAMPLE_RATE] = decision.sample_rate
        event_dict[SAMPLE_REASON] = decision.reason
        return event_dict
