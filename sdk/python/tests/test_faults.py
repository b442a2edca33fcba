"""The application never sees an exception from the SDK: with the daemon down, hanging or answering garbage,
log calls go on (sampled under the policy in force: the default until one arrives), the problems go to the
application's error handler, and shutdown still returns."""

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter

import logsift
from logsift.policy import default_policy


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(handler_class):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _log_through(endpoint, tmp_path, first=None):
    exporter = InMemoryLogRecordExporter()
    errors = []
    told = threading.Event()

    def on_error(message):
        errors.append(message)
        if first and first in message:
            told.set()

    handle = logsift.configure("faulty", endpoint, exporter=exporter, attach_to_root=False, policy_cache=str(tmp_path / "policy.json"), wait_seconds=1, report_interval_seconds=0.05, on_error=on_error)
    if first:
        assert told.wait(30), errors
    log = logging.getLogger("faulty-app")
    log.propagate = False
    log.addHandler(handle.handler)
    log.setLevel(logging.DEBUG)
    for i in range(2000):
        if i % 100 == 0:
            log.error("payment %d failed", i)
        else:
            log.info("GET /api/items/%d 200 %dms", i, i % 50)
    handle.provider.force_flush()
    kept = len(exporter.get_finished_logs())
    started = time.monotonic()
    handle.shutdown()
    return kept, errors, time.monotonic() - started


def test_daemon_down(tmp_path):
    kept, errors, _ = _log_through(f"http://127.0.0.1:{_free_port()}", tmp_path, first="policy from")
    assert 20 <= kept < 2000
    assert any("policy from" in e for e in errors)


def test_daemon_hanging(tmp_path):
    release = threading.Event()

    class Hang(BaseHTTPRequestHandler):
        def do_GET(self):
            release.wait(60)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server, endpoint = _serve(Hang)
    try:
        kept, _, stopping = _log_through(endpoint, tmp_path)
        assert 20 <= kept < 2000
        assert stopping < 10, "shutdown does not wait on a hanging daemon"
    finally:
        release.set()
        server.shutdown()


def test_daemon_answering_garbage(tmp_path):
    statuses = []

    class Garbage(BaseHTTPRequestHandler):
        def _answer(self, body, etag=None):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            if etag:
                self.send_header("etag", etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._answer(b'{"service":"faulty","mode":"everything"}', '"x"')

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.path.endswith("/status"):
                statuses.append(json.loads(body))
            self._answer(b"not json at all")

        def log_message(self, *args):
            pass

    server, endpoint = _serve(Garbage)
    try:
        kept, errors, _ = _log_through(endpoint, tmp_path, first="refused a policy")
        assert 20 <= kept < 2000
        assert any("refused a policy: mode" in e for e in errors)
        assert any(s["status"] == "failed" for s in statuses)
    finally:
        server.shutdown()


def test_structlog_processor_drops_at_the_source_and_marks_what_it_keeps(tmp_path):
    import structlog
    sampler = logsift.SourceSampler()
    sampler.set_policy({**default_policy("shop"), "mode": "static", "severity_keep": {"INFO": 0.1}})
    kept = []
    structlog.configure(processors=[structlog.processors.add_log_level, logsift.LogsiftProcessor(sampler, "shop"), lambda _l, _m, event: kept.append(event) or event, structlog.processors.JSONRenderer()], logger_factory=structlog.ReturnLoggerFactory())
    log = structlog.get_logger()
    for i in range(1000):
        log.info("cart updated", cart=i)
    log.error("payment failed", order=1)
    assert 50 < len(kept) < 200
    assert kept[-1]["logsift.sample_reason"] == "severity"
    assert sum(e["logsift.sample_count"] for e in kept) <= 1001
