"""The sampling policy as the daemon serves it (policy/policy.ts): its default, and the check a policy passes
before it is put in force here (the daemon validated it against its full schema already; this guards the
shape the decision reads, so a garbled answer is refused instead of failing inside a log call)."""

from __future__ import annotations

import re
from typing import Any, Optional

KEEP_FLOOR = 0.001


def default_policy(service: str = "*") -> dict:
    return {
        "service": service,
        "version": 0,
        "mode": "dynamic",
        "severity_keep": {"UNSPECIFIED": 0.1, "TRACE": 0.01, "DEBUG": 0.02, "INFO": 0.1, "WARN": 0.5, "ERROR": 1, "FATAL": 1},
        "pattern_keep": {},
        "budget": {"records_per_second": None, "bytes_per_second": None, "keep_fraction": 0.05, "scope": "service"},
        "first_k_per_window": 1,
        "keep_rules": [],
        "anomaly_boost": {"keep": 1, "cooldown_seconds": 60},
        "reasoning": "built-in default",
    }


def _probability(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1


def _rate(v: Any) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < float("inf"))


def policy_problem(value: Any, service: str) -> Optional[str]:
    """Why `value` cannot be put in force for `service`, or None when it can."""
    if not isinstance(value, dict):
        return "not a JSON object"
    p = value
    if p.get("service") not in (service, "*"):
        return f"it is for service {p.get('service')}, not {service}"
    if p.get("mode") not in ("static", "dynamic"):
        return "mode is neither static nor dynamic"
    for key in ("severity_keep", "pattern_keep"):
        if not isinstance(p.get(key), dict) or not all(_probability(v) for v in p[key].values()):
            return f"{key} must map names to probabilities"
    budget = p.get("budget")
    if not isinstance(budget, dict) or not _rate(budget.get("records_per_second")) or not _rate(budget.get("bytes_per_second")):
        return "budget is malformed"
    fraction = budget.get("keep_fraction")
    if not (fraction is None or (_probability(fraction) and fraction > 0)):
        return "budget is malformed"
    if p["mode"] == "dynamic" and budget.get("records_per_second") is None and budget.get("bytes_per_second") is None and fraction is None:
        return "dynamic mode needs a budget"
    first_k = p.get("first_k_per_window")
    if not isinstance(first_k, int) or isinstance(first_k, bool) or first_k < 0:
        return "first_k_per_window must be a whole number"
    if not isinstance(p.get("keep_rules"), list):
        return "keep_rules must be a list"
    for rule in p["keep_rules"]:
        if not isinstance(rule, dict) or not isinstance(rule.get("attribute"), str):
            return "a keep rule is malformed"
        if rule.get("op") == "matches":
            try:
                re.compile(str(rule.get("value")))
            except re.error:
                return f"keep rule on {rule['attribute']}: not a regular expression"
    if not isinstance(p.get("anomaly_boost"), dict):
        return "anomaly_boost is missing"
    return None
