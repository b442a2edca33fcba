"""The few HTTP calls the SDK makes to logsift's control API, with the standard library only: nothing here
raises into the application; each call answers (status, headers, body) or raises `Unreachable`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Mapping, Optional


class Unreachable(Exception):
    """The daemon did not answer (down, too slow, or the connection broke)."""


def request(method: str, url: str, headers: Mapping[str, str], body: Optional[Any], timeout: float) -> tuple[int, Mapping[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode("utf-8")
    all_headers = dict(headers)
    if data is not None:
        all_headers["content-type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()
    except (OSError, ValueError) as error:
        raise Unreachable(str(error)) from error
