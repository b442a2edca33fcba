"""Each pattern's window at the source: a port of the daemon's processors/sampler/ledger.ts (the parts a source
needs). Counts per window what was seen and kept, the records kept whatever the budget says, the dropped
records no kept record stands for yet (per severity class), and EWMAs of each window's load: what dynamic
mode shares its budget by."""

from __future__ import annotations

from dataclasses import dataclass, field

from .severity import CLASSES, ERROR_RANK

_RATE_ALPHA = 0.5
# Windows a pattern may stay silent before it is forgotten (the daemon's IDLE_WINDOWS): its rates are then too
# small to move a share, and what the ledger holds follows the patterns in use, not every one ever seen.
IDLE_WINDOWS = 10
# Patterns one service's ledger holds at most (the daemon's MAX_ENTRIES_PER_SERVICE): past it, the stalest tenth
# are closed (their rows out: every record still counted) and forgotten.
MAX_ENTRIES_PER_SERVICE = 50_000


@dataclass
class Entry:
    service: str
    pattern: str
    window_start: int
    since: int
    last: int
    seen: int = 0
    kept: int = 0
    bytes_seen: int = 0
    bytes_kept: int = 0
    forced: int = 0
    errors_seen: int = 0
    rate: float = 0.0
    bytes_rate: float = 0.0
    forced_rate: float = 0.0
    pending: list[int] = field(default_factory=lambda: [0] * len(CLASSES))
    seen_by_class: list[int] = field(default_factory=lambda: [0] * len(CLASSES))


@dataclass
class Window:
    """One pattern's completed window, as reported to the daemon."""

    service: str
    pattern: str
    window_start: int
    seen: int
    kept: int
    bytes_seen: int
    bytes_kept: int
    seen_by_class: list[int]


@dataclass
class Rates:
    records: float
    bytes: float
    forced: float


class Ledger:
    def __init__(self, window_ms: int, max_entries: int = MAX_ENTRIES_PER_SERVICE) -> None:
        self.window_ms = window_ms
        self._max_entries = max_entries
        self._entries: dict[str, dict[str, Entry]] = {}
        self._closed: list[Window] = []

    def window_start(self, time_ms: int) -> int:
        return (time_ms // self.window_ms) * self.window_ms

    def entry(self, service: str, pattern: str, time_ms: int) -> Entry:
        start = self.window_start(time_ms)
        by_pattern = self._entries.setdefault(service, {})
        entry = by_pattern.get(pattern)
        if entry is None:
            if len(by_pattern) >= self._max_entries:
                self._shed(by_pattern)
            entry = by_pattern[pattern] = Entry(service, pattern, start, time_ms, time_ms)
        elif start > entry.window_start:
            windows = round((start - entry.window_start) / self.window_ms)
            self._close(entry)
            decay = (1 - _RATE_ALPHA) ** (windows - 1)
            first = entry.rate == 0

            def smooth(rate: float, value: float) -> float:
                return (value if first else rate + _RATE_ALPHA * (value - rate)) * decay

            entry.rate = smooth(entry.rate, entry.seen)
            entry.bytes_rate = smooth(entry.bytes_rate, entry.bytes_seen)
            entry.forced_rate = smooth(entry.forced_rate, entry.forced)
            entry.window_start = start
            entry.since = start
            entry.seen = entry.kept = entry.bytes_seen = entry.bytes_kept = entry.forced = entry.errors_seen = 0
            entry.seen_by_class = [0] * len(CLASSES)
        if time_ms > entry.last:
            entry.last = time_ms
        return entry

    def _shed(self, by_pattern: dict[str, Entry]) -> None:
        """Closes and forgets the stalest tenth of a service's entries (latest record first, then first seen)."""
        stalest = sorted(by_pattern.values(), key=lambda e: e.last)
        for entry in stalest[: len(by_pattern) - int(self._max_entries * 0.9)]:
            self._close(entry)
            del by_pattern[entry.pattern]

    def note(self, entry: Entry, size: int, kept: bool, forced: bool, class_index: int) -> None:
        entry.seen += 1
        entry.seen_by_class[class_index] += 1
        entry.bytes_seen += size
        if forced:
            entry.forced += 1
        if class_index >= ERROR_RANK:
            entry.errors_seen += 1
        if kept:
            entry.kept += 1
            entry.bytes_kept += size

    def _close(self, entry: Entry) -> None:
        if entry.seen == 0:
            return
        self._closed.append(Window(entry.service, entry.pattern, entry.window_start, entry.seen, entry.kept, entry.bytes_seen, entry.bytes_kept, entry.seen_by_class))

    def close_ended(self, time_ms: int) -> None:
        current = self.window_start(time_ms)
        for by_pattern in list(self._entries.values()):
            for entry in list(by_pattern.values()):
                if entry.window_start < current and entry.seen > 0:
                    self.entry(entry.service, entry.pattern, time_ms)

    def forget_idle(self, time_ms: int) -> None:
        """Forgets patterns silent for IDLE_WINDOWS windows (their rows are out; drops not yet carried go with them)."""
        horizon = self.window_start(time_ms) - IDLE_WINDOWS * self.window_ms
        for service, by_pattern in list(self._entries.items()):
            for pattern, entry in list(by_pattern.items()):
                if entry.seen == 0 and entry.window_start <= horizon:
                    del by_pattern[pattern]
            if not by_pattern:
                del self._entries[service]

    def drain(self, every: bool = False) -> list[Window]:
        if every:
            for by_pattern in self._entries.values():
                for entry in by_pattern.values():
                    self._close(entry)
                    entry.seen = entry.kept = entry.bytes_seen = entry.bytes_kept = entry.forced = entry.errors_seen = 0
                    entry.seen_by_class = [0] * len(CLASSES)
        closed, self._closed = self._closed, []
        return closed

    def rates(self, service: str, now: int, minimum_span_ms: int) -> dict[str, Rates]:
        out: dict[str, Rates] = {}
        for entry in self._entries.get(service, {}).values():
            scale = 1 if entry.rate > 0 else self.window_ms / min(self.window_ms, max(minimum_span_ms, now - entry.since))
            out[entry.pattern] = Rates(max(entry.rate, entry.seen * scale), max(entry.bytes_rate, entry.bytes_seen * scale), max(entry.forced_rate, entry.forced))
        return out

    def services(self) -> list[str]:
        return list(self._entries.keys())
