"""Keep rules on attributes (`http.status_code >= 500`), compiled once per policy: the daemon's keep_rules.ts,
with JavaScript's comparisons (a number compares as a number even when it arrived as a string)."""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Mapping

from .masking import JS_TRIM

Predicate = Callable[[Mapping[str, Any]], bool]


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip(JS_TRIM) != "":
        try:
            number = float(value.strip(JS_TRIM))
        except ValueError:
            return None
        return None if math.isnan(number) else number
    return None


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    number = _as_number(actual)
    numeric = isinstance(expected, (int, float)) and not isinstance(expected, bool) and number is not None
    if op == "==":
        return number == expected if numeric else _js_string(actual) == _js_string(expected)
    if op == "!=":
        return number != expected if numeric else _js_string(actual) != _js_string(expected)
    if not numeric:
        return False
    if op == ">":
        return number > expected
    if op == ">=":
        return number >= expected
    if op == "<":
        return number < expected
    if op == "<=":
        return number <= expected
    return False


def compile_keep_rules(rules: list[dict]) -> Predicate:
    predicates: list[Predicate] = []
    for rule in rules:
        attribute, op, value = rule["attribute"], rule["op"], rule.get("value")
        if op == "exists":
            predicates.append(lambda attrs, a=attribute: attrs.get(a) is not None)
        elif op == "matches":
            pattern = re.compile(str(value))
            predicates.append(lambda attrs, a=attribute, p=pattern: attrs.get(a) is not None and p.search(_js_string(attrs[a])) is not None)
        else:
            predicates.append(lambda attrs, a=attribute, o=op, v=value: _compare(o, attrs.get(a), v))
    return lambda attrs: any(p(attrs) for p in predicates)
