"""One call to sample at the source: an OpenTelemetry LoggerProvider for the service exporting over OTLP/HTTP
(the OTEL_EXPORTER_OTLP_* settings apply), a LogsiftHandler on the root logger, the policy followed from
logsift's control API (kept on disk for the next start), and the windows reported back to it."""

from __future__ import annotations

import atexit
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from typing import Callable, Mapping, Optional

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.resources import Resource

from .follower import FilePolicyCache, PolicyFollower
from .handler import LogsiftHandler
from .reporter import StatsReporter
from .source_sampler import SourceSampler
from .structlog_processor import LogsiftProcessor

DEFAULT_ENDPOINT = "http://127.0.0.1:13133"


@dataclass
class Logsift:
    provider: LoggerProvider
    sampler: SourceSampler
    handler: LogsiftHandler
    follower: PolicyFollower
    reporter: StatsReporter

    def structlog_processor(self) -> LogsiftProcessor:
        """The processor to put early in a structlog chain (it needs the `level` field: add_log_level before it)."""
        return LogsiftProcessor(self.sampler, self.handler._service)

    def shutdown(self) -> None:
        """Stops following, reports every window (waiting briefly for the daemon) and flushes the exporter."""
        self.follower.stop()
        self.reporter.stop()
        self.provider.force_flush()
        self.provider.shutdown()
        logging.getLogger().removeHandler(self.handler)


def configure(
    service: str,
    endpoint: str = DEFAULT_ENDPOINT,
    *,
    exporter: Optional[LogRecordExporter] = None,
    attach_to_root: bool = True,
    level: int = logging.NOTSET,
    headers: Optional[Mapping[str, str]] = None,
    instance: Optional[str] = None,
    policy_cache: Optional[str] = None,
    window_seconds: float = 60,
    wait_seconds: int = 30,
    report_interval_seconds: float = 10,
    resource_attributes: Optional[Mapping[str, object]] = None,
    on_error: Optional[Callable[[str], None]] = None,
    on_policy: Optional[Callable[[dict], None]] = None,
) -> Logsift:
    endpoint = endpoint.rstrip("/")
    instance = instance or f"{service}-{uuid.uuid4().hex[:8]}"
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

        exporter = OTLPLogExporter()
    provider = LoggerProvider(resource=Resource.create({**(resource_attributes or {}), "service.name": service}), shutdown_on_exit=False)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    sampler = SourceSampler(window_seconds=window_seconds)
    handler = LogsiftHandler(sampler, provider.get_logger("logsift"), service, level)
    cache = FilePolicyCache(policy_cache or os.path.join(tempfile.gettempdir(), "logsift", f"{service}.policy.json"))

    def apply(policy: dict) -> None:
        sampler.set_policy(policy)
        if on_policy is not None:
            try:
                on_policy(policy)
            except Exception:  # noqa: BLE001 - the application's callback; its failure is not the policy's
                pass

    follower = PolicyFollower(endpoint, service, instance, apply, headers, wait_seconds, cache, on_error)
    reporter = StatsReporter(endpoint, instance, sampler, report_interval_seconds, headers, on_error=on_error)
    follower.start()
    reporter.start()
    if attach_to_root:
        logging.getLogger().addHandler(handler)
    logsift = Logsift(provider, sampler, handler, follower, reporter)
    atexit.register(logsift.shutdown)
    return logsift
