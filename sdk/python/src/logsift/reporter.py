"""What the source dropped, told to logsift: every completed window of the source sampler's ledger goes to
`POST /api/v1/patterns/stats` (the report a sidecar sends its gateway) with the templates of patterns not
yet sent, so the daemon's ledger plus the reported drops is what the application logged. While the daemon
is away windows wait in a bounded backlog (the oldest dropped past it, counted); a batch that got no answer
is sent again with its id, so it is counted once. Runs on a daemon thread; never raises into the app."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Callable, Mapping, Optional

from .http import Unreachable, request
from .severity import CLASSES
from .source_sampler import SourceSampler

_ROWS_PER_REPORT = 2000
_TEMPLATES_PER_REPORT = 500
_TEMPLATES_REMEMBERED = 20_000
_REQUEST_TIMEOUT_S = 15.0
# Stopping waits this long for the last report at most: an application's exit must not hang on the daemon.
_STOP_GRACE_S = 2.0


class StatsReporter:
    def __init__(self, endpoint: str, instance: str, sampler: SourceSampler, interval_seconds: float = 10.0, headers: Optional[Mapping[str, str]] = None, max_backlog: int = 20_000, on_error: Optional[Callable[[str], None]] = None) -> None:
        self._endpoint = endpoint
        self._instance = instance
        self._sampler = sampler
        self._interval = interval_seconds
        self._headers = dict(headers or {})
        self._max_backlog = max_backlog
        self._on_error = on_error
        self._backlog: list[dict] = []
        self._pending: Optional[dict] = None
        self._sent_templates: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.sent = 0
        self.dropped = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="logsift-report", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Reports every window, waiting at most a short grace for the daemon."""
        self._stop.set()
        self.flush(every=True, timeout=_STOP_GRACE_S)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()

    def _problem(self, message: str) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(message)
        except Exception:  # noqa: BLE001
            pass

    def flush(self, every: bool = False, timeout: float = _REQUEST_TIMEOUT_S) -> None:
        # A report in flight on a slow daemon holds the lock: wait for it no longer than one request may take.
        if not self._lock.acquire(timeout=timeout):
            self._problem("pattern report: the daemon is too slow; windows not reported")
            return
        try:
            self._take(every)
            while self._pending is not None or self._backlog:
                if self._pending is None:
                    self._pending = self._next_report()
                outcome = self._send(self._pending, timeout)
                if outcome == "retry":
                    return
                if outcome == "taken":
                    self.sent += len(self._pending["rows"])
                else:
                    self.dropped += len(self._pending["rows"])
                self._pending = None
        except Exception as error:  # noqa: BLE001 - a report that fails must not take the app with it
            self._problem(f"pattern report: {error}")
        finally:
            self._lock.release()

    def _take(self, every: bool) -> None:
        for w in self._sampler.windows(int(time.time() * 1000), every):
            by_severity = {CLASSES[i]: n for i, n in enumerate(w.seen_by_class) if n > 0}
            self._backlog.append({"service": w.service, "pattern_id": w.pattern, "window_start": w.window_start, "seen": w.seen, "kept": w.kept, "boosted": 0, "bytes_seen": w.bytes_seen, "bytes_kept": w.bytes_kept, "seen_by_severity": by_severity})
        over = len(self._backlog) - self._max_backlog
        if over > 0:
            del self._backlog[:over]
            self.dropped += over
            self._problem(f"{over} pattern windows could not be reported (the daemon was away too long)")

    def _next_report(self) -> dict:
        rows, self._backlog = self._backlog[:_ROWS_PER_REPORT], self._backlog[_ROWS_PER_REPORT:]
        templates = []
        for row in rows:
            key = f"{row['service']}\u0000{row['pattern_id']}"
            if len(templates) >= _TEMPLATES_PER_REPORT or key in self._sent_templates:
                continue
            template = self._sampler.template(row["service"], row["pattern_id"])
            if template is not None:
                templates.append({"service": row["service"], "pattern_id": row["pattern_id"], "template": template[:1000]})
        return {"instance": self._instance, "batch_id": str(uuid.uuid4()), "window_seconds": self._sampler.window_ms / 1000, "rows": rows, "templates": templates}

    def _send(self, report: dict, timeout: float) -> str:
        try:
            status, _, body = request("POST", f"{self._endpoint}/api/v1/patterns/stats", self._headers, report, timeout)
        except Unreachable as error:
            self._problem(f"pattern report to {self._endpoint}: {error}")
            return "retry"
        if 400 <= status < 500 and status not in (408, 429):
            self._problem(f"the daemon refused a pattern report ({status}): {body[:300]!r}")
            return "refused"
        if status >= 300:
            self._problem(f"pattern report to {self._endpoint}: the daemon answered {status}")
            return "retry"
        if len(self._sent_templates) > _TEMPLATES_REMEMBERED:
            self._sent_templates.clear()
        for t in report["templates"]:
            self._sent_templates.add(f"{t['service']}\u0000{t['pattern_id']}")
        try:
            answer = json.loads(body)
            missing = answer.get("missing_templates", []) if isinstance(answer, dict) else []
            for m in missing if isinstance(missing, list) else []:
                self._sent_templates.discard(f"{m.get('service')}\u0000{m.get('pattern_id')}")
        except (ValueError, AttributeError):
            self._problem("the daemon's answer to a pattern report was not JSON")
        return "taken"
