"""The service's policy, followed from logsift the way its sidecars follow a gateway: a long-poll
(`GET /api/v1/policies/{service}?wait=` with the ETag held), each policy checked before it is put in force
between two records, the outcome reported (`POST .../status`), and the last one kept in a file for the next
start. A daemon that is down, slow or answering garbage leaves the policy in force as it was; it is asked
again after a backoff. Runs on a daemon thread; never raises into the application."""

from __future__ import annotations

import json
import os
import random
import threading
import urllib.parse
from typing import Callable, Mapping, Optional

from .http import Unreachable, request
from .policy import policy_problem

_POLL_GRACE_S = 15.0
_NO_POLICY_PAUSE_S = 5.0
_RETRY_INITIAL_S = 1.0
_RETRY_MAX_S = 60.0


class FilePolicyCache:
    """The last policy applied, in a file (written whole, then renamed: a crash never leaves half of one)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> Optional[dict]:
        try:
            with open(self.path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def save(self, known: dict) -> None:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        temporary = f"{self.path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(known, f)
        os.replace(temporary, self.path)


class PolicyFollower:
    def __init__(self, endpoint: str, service: str, instance: str, apply: Callable[[dict], None], headers: Optional[Mapping[str, str]] = None, wait_seconds: int = 30, cache: Optional[FilePolicyCache] = None, on_error: Optional[Callable[[str], None]] = None) -> None:
        self._endpoint = endpoint
        self._service = service
        self._instance = instance
        self._apply = apply
        self._headers = dict(headers or {})
        self._wait = wait_seconds
        self._cache = cache
        self._on_error = on_error
        self._etag: Optional[str] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.version: Optional[int] = None
        self.connected = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._restore()
        self._thread = threading.Thread(target=self._run, name="logsift-policy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _problem(self, message: str) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(message)
        except Exception:  # noqa: BLE001 - the application's handler must not stop the follower
            pass

    def _restore(self) -> None:
        if self._cache is None:
            return
        known = self._cache.load()
        if isinstance(known, dict) and policy_problem(known.get("policy"), self._service) is None and isinstance(known.get("etag"), str):
            self._put(known["policy"], known["etag"], save=False)

    def _put(self, policy: dict, etag: str, save: bool) -> None:
        self._apply(policy)
        self._etag = etag
        self.version = policy.get("version")
        if save and self._cache is not None:
            try:
                self._cache.save({"policy": policy, "etag": etag})
            except OSError as error:
                self._problem(f"the policy could not be cached: {error}")

    def _run(self) -> None:
        backoff = 0.0
        while not self._stop.is_set():
            try:
                outcome = self._poll()
            except Exception as error:  # noqa: BLE001 - whatever went wrong, the follower goes on
                self._problem(f"policy from {self._endpoint}: {error}")
                outcome = "retry"
            if outcome == "again":
                backoff = 0.0
            elif outcome == "none":
                self._stop.wait(_NO_POLICY_PAUSE_S)
            else:
                backoff = min(_RETRY_MAX_S, backoff * 2) if backoff else _RETRY_INITIAL_S
                self._stop.wait(backoff * (0.9 + 0.2 * random.random()))

    def _poll(self) -> str:
        url = f"{self._endpoint}/api/v1/policies/{urllib.parse.quote(self._service, safe='')}?wait={self._wait}s"
        headers = dict(self._headers)
        if self._etag:
            headers["if-none-match"] = self._etag
        try:
            status, answer_headers, body = request("GET", url, headers, None, self._wait + _POLL_GRACE_S)
        except Unreachable as error:
            self.connected = False
            self._problem(f"policy from {self._endpoint}: {error}")
            return "retry"
        self.connected = True
        if status == 304:
            return "again"
        if status == 404:
            return "none"
        if status != 200:
            self._problem(f"policy from {self._endpoint}: the daemon answered {status}")
            return "retry"
        etag = answer_headers.get("etag") or ""
        try:
            policy = json.loads(body)
        except ValueError:
            policy = None
        problem = policy_problem(policy, self._service) or (None if etag else "the answer has no ETag")
        if problem:
            self._report(etag.strip('"'), "failed", problem)
            self._problem(f"refused a policy: {problem}")
            return "retry"
        self._put(policy, etag, save=True)
        self._report(etag.strip('"'), "applied")
        return "again"

    def _report(self, digest: str, status: str, error: Optional[str] = None) -> None:
        url = f"{self._endpoint}/api/v1/policies/{urllib.parse.quote(self._service, safe='')}/status"
        report = {"instance": self._instance, "hash": digest or "none", "status": status}
        if error:
            report["error"] = error
        try:
            request("POST", url, self._headers, report, _POLL_GRACE_S)
        except Unreachable as failure:
            self._problem(f"could not report the policy's status: {failure}")
