"""OTLP severity numbers in classes, as the daemon's policy/severity.ts has them."""

from __future__ import annotations

from .masking import JS_TRIM

import math

CLASSES = ("UNSPECIFIED", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
ERROR_RANK = CLASSES.index("ERROR")
_TEXT_CLASSES = {
    "trace": "TRACE", "debug": "DEBUG", "info": "INFO", "information": "INFO", "notice": "INFO",
    "warn": "WARN", "warning": "WARN", "error": "ERROR", "err": "ERROR", "critical": "FATAL",
    "crit": "FATAL", "alert": "FATAL", "emergency": "FATAL", "fatal": "FATAL",
}


def severity_class(number: int, text: str) -> str:
    if 1 <= number <= 24:
        return CLASSES[math.ceil(number / 4)]
    return _TEXT_CLASSES.get(text.strip(JS_TRIM).lower(), "UNSPECIFIED")


def rank(cls: str) -> int:
    return CLASSES.index(cls)


def python_level_severity(levelno: int) -> int:
    """A logging level as an OTLP severity number (the first of its class's range)."""
    if levelno >= 50:
        return 21
    if levelno >= 40:
        return 17
    if levelno >= 30:
        return 13
    if levelno >= 20:
        return 9
    if levelno >= 10:
        return 5
    return 1
