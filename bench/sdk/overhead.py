"""The Python SDK's overhead, for bench/sdk_python.ts: each log call timed through stdlib logging with
OpenTelemetry's LoggingHandler alone (the baseline: what an app exports without logsift) and with logsift's
LogsiftHandler instead (its records to the same kind of provider), in alternating rounds over the same calls;
the decision alone timed too; then the sampler's heap (tracemalloc) after 10,000, 50,000 and 250,000 distinct
templates. Records are made before the clock starts, with times 1/rate apart (a busy service's pace, not the
loop's: the sampler shares its budget by record time), and handed to Logger.handle; completed windows are
taken between calls as the reporter takes them. Prints one JSON object."""

import argparse
import gc
import json
import logging
import sys
import time
import tracemalloc

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult

from logsift.handler import LogsiftHandler
from logsift.source_sampler import SourceSampler

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
SEVERITY = {"debug": 5, "info": 9, "warn": 13, "error": 17}


class Discard(LogRecordExporter):
    def export(self, batch):
        return LogRecordExportResult.SUCCESS

    def shutdown(self):
        pass

    def force_flush(self, timeout_millis=30_000):
        return True


def provider():
    p = LoggerProvider(shutdown_on_exit=False)
    p.add_log_record_processor(BatchLogRecordProcessor(Discard()))
    return p


def summarise(ns):
    ns.sort()
    at = lambda q: round(ns[int(q * (len(ns) - 1))] / 1000, 3)  # noqa: E731
    return {"p50_us": at(0.5), "p99_us": at(0.99), "mean_us": round(sum(ns) / len(ns) / 1000, 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", required=True)
    parser.add_argument("--templates", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=2000)
    args = parser.parse_args()
    with open(args.calls) as f:
        calls = [json.loads(line) for line in f]
    contexts = []
    for c in calls:
        if c["t"]:
            span = trace.NonRecordingSpan(trace.SpanContext(int(c["t"], 16), 1, is_remote=False, trace_flags=trace.TraceFlags(1)))
            contexts.append(trace.set_span_in_context(span))
        else:
            contexts.append(None)

    base_provider, sdk_provider = provider(), provider()
    base = logging.Logger("bench.baseline", logging.DEBUG)
    base.addHandler(LoggingHandler(logging.DEBUG, logger_provider=base_provider))
    sampler = SourceSampler()
    kept = {"n": 0}
    sdk_logger = sdk_provider.get_logger("bench")
    emit = sdk_logger.emit

    def counted_emit(*a, **kw):
        kept["n"] += 1
        return emit(*a, **kw)

    sdk_logger.emit = counted_emit
    with_logsift = logging.Logger("bench.logsift", logging.DEBUG)
    with_logsift.addHandler(LogsiftHandler(sampler, sdk_logger, "bench", logging.DEBUG))
    lone = SourceSampler()

    def decide(record, c, ctx):
        lone.decide("bench", record.msg, int(record.created * 1000), SEVERITY[c["s"]], c["s"].upper(), int(c["t"], 16) if c["t"] else None, None)

    arms = {"baseline": base.handle, "logsift": with_logsift.handle}
    loggers = {"baseline": base, "logsift": with_logsift, "decision": base}
    t0 = time.time()
    step = 1 / args.rate
    timings = {"baseline": [], "logsift": [], "decision": []}
    nxt = {"baseline": 0, "logsift": 0, "decision": 0}
    order = ["baseline", "logsift", "decision"]
    clock = time.perf_counter_ns
    for round_ in range(args.rounds):
        if round_ % 2 == 1:
            order.reverse()
        for arm in order:
            handle = arms.get(arm)
            made = loggers[arm]
            out = timings[arm]
            for _ in range(args.per_round):
                n = nxt[arm]
                nxt[arm] += 1
                i = n % len(calls)
                c = calls[i]
                record = made.makeRecord(made.name, LEVELS[c["s"]], __file__, 1, c["b"], None, None)
                record.created = t0 + n * step
                if n % 1000 == 999:
                    sampler.windows(int(record.created * 1000))
                    lone.windows(int(record.created * 1000))
                token = otel_context.attach(contexts[i]) if contexts[i] is not None else None
                start = clock()
                if handle is None:
                    decide(record, c, contexts[i])
                else:
                    handle(record)
                out.append(clock() - start)
                if token is not None:
                    otel_context.detach(token)
    base_provider.shutdown()
    sdk_provider.shutdown()

    with open(args.templates) as f:
        bodies = f.read().split("\n")[:-1]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fresh = SourceSampler()
    start_ms = int(time.time() * 1000)
    heaps = {}
    fed, at = 0, 10_000
    while fed < len(bodies):
        while fed < at:
            fresh.decide("bench", bodies[fed], start_ms + fed, 9)
            if fed % 1000 == 999:
                fresh.windows(start_ms + fed)
            fed += 1
        gc.collect()
        heaps[f"{at // 1000}k"] = tracemalloc.get_traced_memory()[0] - before
        at = min(len(bodies), at * 5)
    tracemalloc.stop()

    out = {name: summarise(ns) for name, ns in timings.items()}
    out.update(calls_per_arm=args.rounds * args.per_round, record_rate=args.rate, kept_share=kept["n"] / (args.rounds * args.per_round), heap_bytes_after_templates=heaps, python=sys.version.split()[0])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
