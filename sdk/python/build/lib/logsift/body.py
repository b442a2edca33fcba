"""What the miner sees of a body: a port of the daemon's processors/signature/structured_body.ts. A map (or a
string holding a JSON object) is signed by its message field plus its sorted key set."""

from __future__ import annotations

from .masking import JS_TRIM

import json
from typing import Any

_MESSAGE_KEYS = ("message", "msg", "log", "event", "body", "text")


def _structured_signature(body: dict[str, Any]) -> str:
    message = next((body[k] for k in _MESSAGE_KEYS if isinstance(body.get(k), str)), "")
    keys = ",".join(sorted(body.keys(), key=lambda k: k.encode("utf-16-be", "surrogatepass")))
    return f"{message} {{{keys}}}" if message else f"{{{keys}}}"


def _reject_constant(name: str) -> Any:
    # JavaScript's JSON.parse has no NaN or Infinity: such a body is text to it.
    raise ValueError(name)


def body_signature(body: Any) -> str:
    if isinstance(body, str):
        trimmed = body.strip(JS_TRIM)
        if trimmed.startswith("{") and trimmed.endswith("}"):
            try:
                parsed = json.loads(trimmed, parse_constant=_reject_constant)
                if isinstance(parsed, dict):
                    return _structured_signature(parsed)
            except ValueError:
                pass
        return body
    if isinstance(body, dict):
        return _structured_signature(body)
    return "" if body is None else str(body)
