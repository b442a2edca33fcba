"""Emits log records through the real OpenTelemetry Python SDK (std logging bridge) to a logsift daemon.

usage: emit_logs.py {grpc|http} ENDPOINT COUNT RUN_ID {gzip|none}
Each record is emitted inside a span so it carries a trace and span id; the ids are printed as JSON.
"""
import json
import logging
import sys

from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider


def exporter(protocol: str, endpoint: str, gzip: bool):
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from grpc import Compression

        return OTLPLogExporter(endpoint=endpoint, insecure=True, compression=Compression.Gzip if gzip else Compression.NoCompression)
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http import Compression

    return OTLPLogExporter(endpoint=endpoint, compression=Compression.Gzip if gzip else Compression.NoCompression)


def main() -> None:
    protocol, endpoint, count, run_id, compression = sys.argv[1:6]
    provider = LoggerProvider(resource=Resource.create({"service.name": "billing-py", "test.run": run_id}))
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter(protocol, endpoint, compression == "gzip")))
    log = logging.getLogger("billing")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(LoggingHandler(level=logging.DEBUG, logger_provider=provider))
    tracer = TracerProvider().get_tracer("billing")

    ids = []
    for i in range(int(count)):
        with tracer.start_as_current_span(f"invoice-{i}") as span:
            ctx = span.get_span_context()
            ids.append({"trace_id": format(ctx.trace_id, "032x"), "span_id": format(ctx.span_id, "016x")})
            log.warning("invoice %d overdue", i, extra={"invoice.id": i, "customer": f"c-{i}", "amount": 12.5})
    provider.force_flush()
    provider.shutdown()
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
