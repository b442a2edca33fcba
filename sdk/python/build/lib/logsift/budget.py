"""Dynamic mode's budget shared over a service's patterns: a port of the daemon's dynamic_rates.ts and
budget_shares.ts. Patterns seen about once a window are kept whole; the rest share what is left in proportion
to log10 of their count (water-filling). Sums are written as loops, in the daemon's order, so the floating
point comes out the same."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

from .ledger import Ledger, Rates


@dataclass
class Load:
    count: float
    cost: float


def dynamic_keep(loads: dict[str, Load], goal: float, floor: float) -> dict[str, float]:
    keep: dict[str, float] = {}
    total = 0.0
    for load in loads.values():
        total += load.cost
    if total <= goal:
        return {key: 1 for key in loads}
    remaining = goal
    open_loads: list[tuple[str, Load]] = []
    for key, load in loads.items():
        if load.count >= 2:
            open_loads.append((key, load))
        else:
            keep[key] = 1
            remaining -= load.cost

    def share_of(load: Load, weight: float) -> float:
        return (remaining * math.log10(load.count)) / weight if remaining > 0 and weight > 0 else 0

    while True:
        weight = 0.0
        for _, load in open_loads:
            weight += math.log10(load.count)
        whole = [(key, load) for key, load in open_loads if share_of(load, weight) >= load.cost]
        if not whole:
            break
        for key, load in whole:
            keep[key] = 1
            remaining -= load.cost
        open_loads = [(key, load) for key, load in open_loads if key not in keep]
    weight = 0.0
    for _, load in open_loads:
        weight += math.log10(load.count)
    for key, load in open_loads:
        keep[key] = max(floor, min(1, share_of(load, weight) / load.cost))
    return keep


def share_budget(budget: dict, rates: dict[str, Rates], pinned: Callable[[str], Optional[float]], window_seconds: float, floor: float) -> dict[str, float]:
    records: dict[str, Load] = {}
    sizes: dict[str, Load] = {}
    tightest: dict[str, float] = {}
    seen = 0.0
    spent_records = 0.0
    spent_bytes = 0.0
    for key, r in rates.items():
        seen += r.records
        bytes_per_record = r.bytes / r.records if r.records > 0 else 0
        open_count = max(0, r.records - r.forced)
        pin = pinned(key)
        spent = r.forced + (0 if pin is None else open_count * pin)
        spent_records += spent
        spent_bytes += spent * bytes_per_record
        if pin is not None:
            continue
        if open_count == 0:
            tightest[key] = 1
            continue
        records[key] = Load(open_count, open_count)
        sizes[key] = Load(open_count, open_count * bytes_per_record)

    def apply(shares: dict[str, float]) -> None:
        for key, p in shares.items():
            tightest[key] = min(p, tightest.get(key, 1))

    if budget.get("records_per_second") is not None:
        apply(dynamic_keep(records, budget["records_per_second"] * window_seconds - spent_records, floor))
    if budget.get("keep_fraction") is not None:
        apply(dynamic_keep(records, budget["keep_fraction"] * seen - spent_records, floor))
    if budget.get("bytes_per_second") is not None:
        apply(dynamic_keep(sizes, budget["bytes_per_second"] * window_seconds - spent_bytes, floor))
    return tightest


@dataclass
class Shares:
    keep: dict[str, float] = field(default_factory=dict)
    window: int = -1
    computed_at: int = 0


_POOL_SEPARATOR = "\u0000"


class BudgetSharer:
    def __init__(self, ledger: Ledger, window_ms: int, min_keep: float, policy_of: Callable[[str], dict], base_policy: Callable[[], dict]) -> None:
        self._ledger = ledger
        self._window_ms = window_ms
        self._min_keep = min_keep
        self._policy_of = policy_of
        self._base_policy = base_policy
        self._reshare_ms = min(1000, window_ms)
        self._global = Shares()

    def reset(self) -> None:
        self._global.window = -1

    def probability(self, policy: dict, own: Shares, service: str, pattern: str, window_start: int, now: int) -> float:
        is_global = policy["budget"].get("scope") == "global"
        shares = self._global if is_global else own
        key = f"{service}{_POOL_SEPARATOR}{pattern}" if is_global else pattern
        stale = shares.window != window_start or (key not in shares.keep and now - shares.computed_at >= self._reshare_ms)
        if stale:
            if is_global:
                shares.keep = self._share_global(now)
            else:
                pins = policy["pattern_keep"]
                shares.keep = share_budget(policy["budget"], self._ledger.rates(service, now, self._reshare_ms), pins.get, self._window_ms / 1000, self._min_keep)
            shares.window = window_start
            shares.computed_at = now
        return shares.keep.get(key, 1)

    def _share_global(self, now: int) -> dict[str, float]:
        rates: dict[str, Rates] = {}
        for other in self._ledger.services():
            policy = self._policy_of(other)
            if policy["mode"] != "dynamic" or policy["budget"].get("scope") != "global":
                continue
            for pattern, r in self._ledger.rates(other, now, self._reshare_ms).items():
                rates[f"{other}{_POOL_SEPARATOR}{pattern}"] = r

        def pinned(key: str) -> Optional[float]:
            service, _, pattern = key.partition(_POOL_SEPARATOR)
            return self._policy_of(service)["pattern_keep"].get(pattern)

        return share_budget(self._base_policy()["budget"], rates, pinned, self._window_ms / 1000, self._min_keep)
