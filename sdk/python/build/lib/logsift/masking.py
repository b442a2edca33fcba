"""Tokenising and masking a log body before mining: a port of the daemon's processors/signature/masking.ts.

Variables recognisable on sight (numbers, hex, UUIDs, IPs with ports, timestamps, paths, URLs, emails,
durations, sizes, key=value values) become <*>, so the miner only has to discover the variables that look
like words. Every pattern here is the daemon's, with JavaScript's regular-expression meaning kept: ASCII
classes (re.ASCII) and JavaScript's set of white space. The shared vectors (sdk/vectors) hold the two
together.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

_A = re.ASCII
_AI = re.ASCII | re.IGNORECASE

# JavaScript's \s: what a body is split on and what a quoted phrase must hold to be one value.
JS_SPACE = "\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# The same characters spelled out, for str.strip (what String.prototype.trim removes).
JS_TRIM = "\t\n\x0b\x0c\r \u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000\ufeff"

HTTP_METHODS = frozenset(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"])
PROTOCOL_VERSION = re.compile(r"""^["'(]?(HTTP|HTTPS|SPDY|TLSv?|SSLv?|SMB|NFSv?)/?\d(\.\d)?["'),]?$""", _AI)
EVENT_KEYS = frozenset(["msg", "message", "event", "evt", "action", "status", "state", "result", "outcome", "method", "op", "operation", "type", "kind", "level", "lvl"])
_WORDLIKE_VALUE = re.compile(r"""^["']?[A-Za-z][A-Za-z _.-]*["']?$""", _A)


def is_event_key_value(key: str, value: str) -> bool:
    """Whether key=value holds an event-naming key with a word-like value (kept whole by masking)."""
    return key.lower() in EVENT_KEYS and _WORDLIKE_VALUE.match(value) is not None


_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$", _A)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", _AI)
_IP = re.compile(r"^(([a-z0-9.-]*/)?\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[?[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\]?(:\d{1,5})?)$", _AI)
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,3}:\d{2}(:\d{2})?([.,]\d+)?)$", _A)
# \S in the URL pattern is JavaScript's: anything but its white space.
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^" + JS_SPACE + r"]+$", _AI)
_PATH = re.compile(r"^(~|\.{1,2})?(/[^" + JS_SPACE + r"/]*){2,}$|^[a-z]:\\", _AI)

_HEX = re.compile(r"^(0x[0-9a-f]+|[0-9a-f]{12,})$", _AI)
_DURATION = re.compile(r"^\d+(\.\d+)?(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs)$", _AI)
_SIZE = re.compile(r"^\d+(\.\d+)?([kmgtp]i?b|b|bytes?)$", _AI)
_NUMBER = re.compile(r"\d", _A)
_DAY_OR_MONTH_PIECE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$", _AI)

_PIECE = re.compile(r"[A-Za-z0-9_-]+", _A)
_QUOTED_VALUE = re.compile(r"""([\w.\-]+)=("[^"]*"|'[^']*')""", _A)
_SIZE_CONVERSION = re.compile(r"(\d[" + JS_SPACE + r"]*(?:bytes?|[KMGTP]i?B|B))[" + JS_SPACE + r"]*\([" + JS_SPACE + r"]*[\d.,]+[" + JS_SPACE + r"]*(?:bytes?|[KMGTP]i?B|B)[" + JS_SPACE + r"]*\)", _AI)
_BRACKETED = re.compile(r"\[([^[\]]*)\]", _A)
_QUOTED_PHRASE = re.compile(r'(^|[' + JS_SPACE + r'(\[])"([^"]*)"', _A)
_SPACE = re.compile("[" + JS_SPACE + "]")
_LIST_SEPARATOR = re.compile(r",[" + JS_SPACE + "]")
_HOST = re.compile(r"^(?=[^:]*[a-z])[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[a-z]{2,}(:\d{1,5})?$|^[a-z][\w.-]*:\d{1,5}$", _A)
_MAX_HOST = 253
_VERSION = re.compile(r"^v?\d+(\.\d+)+([-+~:.][\w.+~-]*)?$|^\d+:\d[\w.+~-]*$", _A)
# JavaScript's `.` stops at line terminators.
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w.\-]*[=:])([^=:][^\n\r\u2028\u2029]*)$", _A)
_WHITESPACE = re.compile("[" + JS_SPACE + "]+")
_HAS_DIGIT = re.compile(r"\d", _A)
_PLAIN_NUMBER = re.compile(r"^[(\[]?[<>~]?[-+]?\d+([.,]\d+)*[)\],;:.]?$", _A)
_NUMBER_CORE = re.compile(r"[<>~]?[-+]?\d+([.,]\d+)*", _A)
_DAYS_AND_MONTHS = frozenset(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
_ONE_PIECE = re.compile(r"^[A-Za-z0-9_-]+$", _A)
_LITERAL = re.compile(r"""(^[("'\[{]*|\()(?:true|false|null)(?=[)"'\]},;.]*$)""", _AI)
_EDGE_PUNCTUATION = re.compile(r"""^[("'\[{<]+|[)"'\]}>,;.!?]+$""", _A)
_TRAILING_CLOSERS = re.compile(r"[,;)\]}]+$", _A)

# One scan of a token says which patterns can possibly match it.
_DIGIT, _SLASH, _AT, _COLON, _EQUALS, _DOT, _DASH = 1, 2, 4, 8, 16, 32, 64
_FLAG_OF = {c: _DIGIT for c in "0123456789"}
_FLAG_OF.update({"/": _SLASH, "\\": _SLASH, "@": _AT, ":": _COLON, "=": _EQUALS, ".": _DOT, "-": _DASH})


def _scan(token: str) -> int:
    flags = 0
    for c in set(token):
        flags |= _FLAG_OF.get(c, 0)
    return flags


def _is_letter(c: str) -> bool:
    return ("A" <= c <= "Z") or ("a" <= c <= "z")


def _is_day_or_month(token: str) -> bool:
    start, end = 0, len(token)
    while start < end and not _is_letter(token[start]):
        start += 1
    while end > start and not _is_letter(token[end - 1]):
        end -= 1
    return end - start == 3 and token[start:end].lower() in _DAYS_AND_MONTHS


def _ends_like_literal(token: str) -> bool:
    end = len(token) - 1
    while end > 0 and not _is_letter(token[end]):
        end -= 1
    c = ord(token[end]) | 32
    return c in (101, 108)


def _strip_edges(token: str) -> str:
    return _EDGE_PUNCTUATION.sub("", token)


# Whole-token patterns, in the daemon's order, each with what its token must hold to be tried.
_TOKEN_MASKS = (
    (lambda f, n: bool(f & _SLASH) and bool(f & _COLON), _URL),
    (lambda f, n: bool(f & _AT), _EMAIL),
    (lambda f, n: n >= 36 and bool(f & _DASH), _UUID),
    (lambda f, n: bool(f & (_DOT | _COLON)), _IP),
    (lambda f, n: bool(f & _DIGIT) and bool(f & (_DASH | _COLON)), _TIMESTAMP),
    (lambda f, n: bool(f & _SLASH), _PATH),
)
# `number` first: with it, hex, duration and size pieces (all holding a digit) are caught already.
_PIECE_PATTERNS = (_NUMBER, _HEX, _DURATION, _SIZE, _DAY_OR_MONTH_PIECE)


def _mask_piece(match: re.Match[str]) -> str:
    piece = match.group(0)
    for pattern in _PIECE_PATTERNS:
        if pattern.search(piece):
            return WILDCARD
    return piece


def _mask_pieces(text: str) -> str:
    return _PIECE.sub(_mask_piece, text)


def _whole_token_mask(token: str, flags: int) -> bool:
    n = len(token)
    for possible, pattern in _TOKEN_MASKS:
        if possible(flags, n) and pattern.search(token):
            return True
    return False


def _mask_token(token: str, flags: int) -> str:
    if flags & (_DIGIT | _SLASH | _AT | _COLON | _EQUALS) == 0:
        if 3 <= len(token) <= 5 and _is_day_or_month(token):
            return _mask_pieces(token)
        if len(token) >= 4 and _ends_like_literal(token):
            literal = _LITERAL.search(token)
            if literal:
                return token[: literal.start() + len(literal.group(1))] + WILDCARD + token[literal.end():]
        if len(token) >= 12 and _HEX.search(_strip_edges(token)):
            return _mask_pieces(token)
        if flags & _DOT and len(token) <= _MAX_HOST and 0 < token.find(".") < len(token) - 1:
            stripped = _strip_edges(token)
            if _HOST.search(stripped):
                return token.replace(stripped, WILDCARD, 1)
        return token
    if flags & ~(_DIGIT | _DOT | _DASH | _COLON) == 0 and _PLAIN_NUMBER.search(token):
        return _NUMBER_CORE.sub(WILDCARD, token, count=1)
    if flags & _DIGIT and PROTOCOL_VERSION.search(token):
        return token
    if _whole_token_mask(token, flags):
        return WILDCARD
    stripped = _strip_edges(token)
    if stripped != token and stripped and _whole_token_mask(stripped, _scan(stripped)):
        return token.replace(stripped, WILDCARD, 1)
    if flags & (_SLASH | _AT | _EQUALS) == 0 and stripped and len(stripped) <= _MAX_HOST:
        if flags & _DIGIT and _VERSION.search(stripped):
            return token.replace(stripped, WILDCARD, 1)
        if flags & (_DOT | _COLON) and _HOST.search(stripped):
            return token.replace(stripped, WILDCARD, 1)
    if flags & (_SLASH | _AT | _COLON | _EQUALS | _DOT) == 0 and _ONE_PIECE.search(token):
        return WILDCARD
    if flags & (_EQUALS | _COLON):
        kv = _KEY_VALUE.search(token)
        if kv:
            key, value = kv.group(1), kv.group(2)
            if is_event_key_value(key[:-1], _TRAILING_CLOSERS.sub("", value)):
                return token
            if not value.startswith("//"):
                closers = _TRAILING_CLOSERS.search(value)
                return key + WILDCARD + (closers.group(0) if closers else "")
    return _mask_pieces(token)


def _mask_route(token: str) -> str:
    """A request path after an HTTP method: the route stays, ids in it and the query are variables."""
    query = token.find("?")
    route = token[:query] if query >= 0 else token
    masked = "/".join(WILDCARD if (_HAS_DIGIT.search(s) or _HEX.search(s)) else s for s in route.split("/"))
    return masked + "?" + WILDCARD if query >= 0 else masked


def _quoted_value(match: re.Match[str]) -> str:
    key, value = match.group(1), match.group(2)
    return match.group(0) if is_event_key_value(key, value) else key + "=" + WILDCARD


def _quoted_phrase(match: re.Match[str]) -> str:
    before, inner = match.group(1), match.group(2)
    if not _SPACE.search(inner) or inner[: inner.find(" ")] in HTTP_METHODS:
        return match.group(0)
    return before + '"' + WILDCARD + '"'


def _bracketed(match: re.Match[str]) -> str:
    return "[" + WILDCARD + "]" if _LIST_SEPARATOR.search(match.group(1)) else match.group(0)


def _rewrite_spans(body: str) -> str:
    text = body
    if '="' in text or "='" in text:
        text = _QUOTED_VALUE.sub(_quoted_value, text)
    if '"' in text:
        text = _QUOTED_PHRASE.sub(_quoted_phrase, text)
    if "(" in text:
        text = _SIZE_CONVERSION.sub(r"\1", text)
    if ", " in text and "[" in text:
        text = _BRACKETED.sub(_bracketed, text)
    return text


def masked(body: str) -> str:
    """The body's tokens, recognised variables replaced by <*>, joined by single spaces (the miner's key)."""
    text = _rewrite_spans(body)
    parts = _WHITESPACE.split(text) if ("\t" in text or "\n" in text or "\r" in text) else text.split(" ")
    out: list[str] = []
    previous = ""
    for i, token in enumerate(parts):
        if not token:
            continue
        if token[0] == "/" and i > 0 and _strip_edges(parts[i - 1]) in HTTP_METHODS:
            route = token[:-1] if token.endswith('"') else token
            result = _mask_route(route) + ('"' if token.endswith('"') else "")
        else:
            result = _mask_token(token, _scan(token))
        if result != WILDCARD or previous != WILDCARD:
            out.append(result)
            previous = result
    return " ".join(out)


_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


def shape_key(body: str) -> int:
    """A key for the body's shape (every digit counted as 0): bodies of one shape mask alike."""
    return hash(body.translate(_DIGITS_AS_ZERO))


def holds_for_shape(masked_body: str) -> bool:
    """Whether a masked form holds for every body of its shape: true when it kept no digit."""
    return _HAS_DIGIT.search(masked_body) is None
