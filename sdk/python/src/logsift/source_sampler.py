"""Sampling at the source, as the daemon's sampler decides (processors/sampler/decision.ts and factory.ts):
severity at or above the kept rank is kept, then a matching keep rule, then the first K of the pattern's
window; the rest with the policy's probability (the pattern's own, else its severity's in static mode, else
its share of the dynamic budget), never below the floor, drawn from the trace id when there is one. A source
cannot boost: anomalies are found at the daemon."""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .body import body_signature
from .budget import BudgetSharer, Shares
from .keep_rules import Predicate, compile_keep_rules
from .ledger import Ledger, Window
from .policy import KEEP_FLOOR, default_policy
from .severity import CLASSES, ERROR_RANK, rank, severity_class
from .template_miner import MAX_PATTERNS_PER_SERVICE, TemplateMiner
from .trace_hash import trace_uniform


@dataclass(frozen=True)
class Decision:
    keep: bool
    pattern_id: str
    template: str
    #: For a kept record: the records it stands for (itself and its pattern's and severity's drops since).
    sample_count: int
    #: 1 / the probability the record was kept (or dropped) with.
    sample_rate: float
    reason: str


@dataclass
class _Compiled:
    policy: dict
    rules: Predicate
    shares: Shares


def _trace_bytes(trace_id: Any) -> Optional[bytes]:
    """A trace id's bytes: 32 hex digits, 16 bytes or an int (OpenTelemetry's); none when absent or all zeros."""
    if trace_id is None:
        return None
    if isinstance(trace_id, int):
        raw = trace_id.to_bytes(16, "big") if 0 < trace_id < 1 << 128 else b""
    elif isinstance(trace_id, str):
        try:
            raw = bytes.fromhex(trace_id) if len(trace_id) == 32 else b""
        except ValueError:
            raw = b""
    else:
        raw = bytes(trace_id)
    return raw if any(raw) else None


def _text_length(body: Any, signed: str) -> int:
    if body is None:
        return 0
    if isinstance(body, str):
        text = body
    else:
        try:
            text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            text = signed
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


class SourceSampler:
    """Thread-safe: one lock around each decision (a log call is the unit; decisions are microseconds)."""

    def __init__(self, window_seconds: float = 60, min_keep: float = KEEP_FLOOR, keep_at_or_above: str = "ERROR", max_patterns: int = MAX_PATTERNS_PER_SERVICE) -> None:
        self.window_ms = int(window_seconds * 1000)
        self._min_keep = min_keep
        self._keep_rank = min(rank(keep_at_or_above), ERROR_RANK)
        self._miner = TemplateMiner(max_patterns)
        self._ledger = Ledger(self.window_ms)
        self._base = default_policy()
        self._policies: dict[str, dict] = {}
        self._compiled: dict[str, _Compiled] = {}
        self._sharer = BudgetSharer(self._ledger, self.window_ms, min_keep, self.policy_of, lambda: self._base)
        self._lock = threading.Lock()

    def policy_of(self, service: str) -> dict:
        return self._policies.get(service, self._base)

    def set_policy(self, policy: dict) -> None:
        """Puts a policy in force between two records: for its service, or every service when it is `*`."""
        with self._lock:
            if policy["service"] == "*":
                self._base = policy
            else:
                self._policies[policy["service"]] = policy
            self._compiled.clear()
            self._sharer.reset()

    def _compile(self, service: str) -> _Compiled:
        compiled = self._compiled.get(service)
        if compiled is None:
            policy = self.policy_of(service)
            compiled = self._compiled[service] = _Compiled(policy, compile_keep_rules(policy["keep_rules"]), Shares())
        return compiled

    def decide(self, service: str, body: Any, time_ms: int, severity_number: int = 0, severity_text: str = "", trace_id: Any = None, attributes: Optional[Mapping[str, Any]] = None) -> Decision:
        text = body_signature(body)
        with self._lock:
            pattern = self._miner.add(service, text)
            cls = severity_class(severity_number, severity_text)
            class_index = CLASSES.index(cls)
            entry = self._ledger.entry(service, pattern.id, time_ms)
            compiled = self._compile(service)
            policy = compiled.policy
            forced = True
            if class_index >= self._keep_rank:
                keep, probability, reason = True, 1.0, "severity"
            elif policy["keep_rules"] and compiled.rules(attributes or {}):
                keep, probability, reason = True, 1.0, "rule"
            elif entry.seen < policy["first_k_per_window"]:
                keep, probability, reason = True, 1.0, "first"
            else:
                forced = False
                own = policy["pattern_keep"].get(pattern.id)
                if own is not None:
                    wanted = own
                elif policy["mode"] != "dynamic":
                    wanted = policy["severity_keep"].get(cls, 1)
                else:
                    wanted = self._sharer.probability(policy, compiled.shares, service, pattern.id, entry.window_start, time_ms)
                probability = min(1, max(self._min_keep, wanted))
                trace = _trace_bytes(trace_id)
                draw = trace_uniform(trace) if trace is not None else random.random()
                keep, reason = draw < probability, "sampled"
            # Bytes as the daemon counts them: the body's text (a string verbatim, a map as JSON) in UTF-16 units.
            self._ledger.note(entry, _text_length(body, text), keep, forced, class_index)
            if keep:
                count = 1 + entry.pending[class_index]
                entry.pending[class_index] = 0
            else:
                count = 0
                entry.pending[class_index] += 1
            return Decision(keep, pattern.id, pattern.template, count, 1 / probability, reason)

    def windows(self, now_ms: int, every: bool = False) -> list[Window]:
        """Windows completed by `now_ms` (or every window): what the daemon is told the source saw and kept."""
        with self._lock:
            self._ledger.close_ended(now_ms)
            windows = self._ledger.drain(every)
            self._ledger.forget_idle(now_ms)
            return windows

    def template(self, service: str, pattern_id: str) -> Optional[str]:
        with self._lock:
            holders = self._miner.holders(service, self._miner.resolve(pattern_id))
            return holders[0].template if holders else None
