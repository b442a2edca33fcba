"""The online template miner: a port of the daemon's processors/signature/template_miner.ts and
position_rule.ts, step for step, so every body gets the pattern id and template the daemon gives it.

A body is masked into tokens; tokens are matched against the templates seen with the same number of tokens;
a body differing from its closest template in one word becomes a sibling pattern until the position's words
look like values; bodies differing in several words generalise at once. A pattern's id is a hash of service
and template (runs of <*> collapsed). Retired ids resolve through aliases that never form a cycle.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import OrderedDict
from typing import Optional

from .masking import HTTP_METHODS, WILDCARD, holds_for_shape, masked, shape_key

SIMILARITY = 0.7
VARIABLE_AFTER = 3
MAX_PATTERNS_PER_SERVICE = 10_000
_EVICT_SHARE = 0.1
_MAX_EXTRA_TOKENS = 2
_MAX_ALIAS_HOPS = 32
_MANY_WORDS = 8
_EVENT_VERB = re.compile(r"^([A-Za-z]{3,}(ed|ing)|[A-Z]{3,}(ED|ING))$", re.ASCII)
_LETTER = re.compile(r"[A-Za-z]", re.ASCII)
_ENCLOSING = frozenset("()[]{}'\",;:.!?")


def _utf8(text: str) -> bytes:
    """UTF-8 as the daemon's TextEncoder writes it: a lone surrogate becomes U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def pattern_id(service: str, template: str) -> str:
    return hashlib.sha256(_utf8(f"{service}\u0000{template}")).hexdigest()[:16]


def _collapse(tokens: list[str]) -> str:
    out: list[str] = []
    for t in tokens:
        if not (t == WILDCARD and out and out[-1] == WILDCARD):
            out.append(t)
    return " ".join(out)


def names_event(word: str) -> bool:
    return word in HTTP_METHODS or _EVENT_VERB.match(word) is not None


def _is_bare_value(word: str) -> bool:
    return WILDCARD in word and _LETTER.search(word.replace(WILDCARD, "")) is None


def is_variable_position(words: set[str], next_word: str, variable_after: int) -> bool:
    if _is_bare_value(next_word):
        return True
    if any(_is_bare_value(w) for w in words):
        return True
    distinct = len(words) + (0 if next_word in words else 1)
    if distinct < variable_after:
        return False
    if distinct >= _MANY_WORDS:
        return True
    return not (all(names_event(w) for w in words) and names_event(next_word))


def bracketed_variable(a: str, b: str) -> str:
    room = min(len(a), len(b))
    head = 0
    while head < room and a[head] == b[head] and a[head] in _ENCLOSING:
        head += 1
    tail = 0
    while tail < room - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail] and a[len(a) - 1 - tail] in _ENCLOSING:
        tail += 1
    if head == 0 and tail == 0:
        return WILDCARD
    return a[:head] + WILDCARD + a[len(a) - tail:]


def _emptied_field(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short) > 1 and short.endswith("=") and long.startswith(short)


def _fits_bracketed(template: str, word: str) -> bool:
    at = template.find(WILDCARD)
    if at < 0 or len(template) == len(WILDCARD):
        return False
    tail = len(template) - at - len(WILDCARD)
    if len(word) < at + tail or template.find(WILDCARD, at + 1) >= 0:
        return False
    for i in range(at):
        if template[i] != word[i] or template[i] not in _ENCLOSING:
            return False
    for i in range(1, tail + 1):
        if template[-i] != word[-i] or template[-i] not in _ENCLOSING:
            return False
    return True


def glob_matches(template: list[str], tokens: list[str]) -> bool:
    t = b = 0
    star_t = star_b = -1
    while b < len(tokens):
        if t < len(template) and template[t] == WILDCARD:
            star_t = t
            t += 1
            b += 1
            star_b = b
        elif t < len(template) and template[t] == tokens[b]:
            t += 1
            b += 1
        elif star_t >= 0:
            t = star_t + 1
            star_b += 1
            b = star_b
        else:
            return False
    return t == len(template)


def _similarity(template: list[str], tokens: list[str]) -> float:
    words = equal = 0
    for t, b in zip(template, tokens):
        if t == WILDCARD and b == WILDCARD:
            continue
        words += 1
        if t == b:
            equal += 1
    return 1 if words == 0 else equal / words


def _extra_word_beside_wildcard(wider: list[str], tokens: list[str]) -> int:
    k = 0
    while k < len(tokens) and wider[k] == tokens[k]:
        k += 1
    for i in range(k, len(tokens)):
        if wider[i + 1] != tokens[i]:
            return -1
    before = wider[k - 1] if k >= 1 else None
    after = wider[k + 1] if k + 1 < len(wider) else None
    return k if (before == WILDCARD or after == WILDCARD) else -1


class Pattern:
    __slots__ = ("service", "tokens", "id", "template", "count", "merged_into", "evicted", "last_used", "siblings")

    def __init__(self, service: str, tokens: list[str]) -> None:
        self.service = service
        self.tokens = tokens
        self.template = _collapse(tokens)
        self.id = pattern_id(service, self.template)
        self.count = 0
        self.merged_into: Optional[Pattern] = None
        self.evicted = False
        self.last_used = 0
        self.siblings: dict[int, dict[str, Pattern]] = {}

    def refresh(self) -> None:
        self.template = _collapse(self.tokens)
        self.id = pattern_id(self.service, self.template)

    @property
    def current(self) -> "Pattern":
        p = self
        while p.merged_into is not None:
            p = p.merged_into
        if self.merged_into is not None and self.merged_into is not p:
            self.merged_into = p
        return p


def _push(index: dict[str, list[Pattern]], key: str, pattern: Pattern) -> None:
    index.setdefault(key, []).append(pattern)


def _pull(index: dict[str, list[Pattern]], key: str, pattern: Pattern) -> None:
    items = index.get(key)
    if items is None:
        return
    _remove_from(items, pattern)
    if not items:
        del index[key]


def _remove_from(items: list[Pattern], pattern: Pattern) -> None:
    for i, p in enumerate(items):
        if p is pattern:
            del items[i]
            return


def _first(tokens: list[str]) -> str:
    return tokens[0] if tokens else WILDCARD


def _last(tokens: list[str]) -> str:
    return tokens[-1] if tokens else WILDCARD


class _LengthBucket:
    __slots__ = ("all", "by_first", "by_last")

    def __init__(self) -> None:
        self.all: list[Pattern] = []
        self.by_first: dict[str, list[Pattern]] = {}
        self.by_last: dict[str, list[Pattern]] = {}

    def add(self, pattern: Pattern) -> None:
        self.all.append(pattern)
        _push(self.by_first, _first(pattern.tokens), pattern)
        _push(self.by_last, _last(pattern.tokens), pattern)

    def remove(self, pattern: Pattern, first: Optional[str] = None, last: Optional[str] = None) -> None:
        _remove_from(self.all, pattern)
        _pull(self.by_first, _first(pattern.tokens) if first is None else first, pattern)
        _pull(self.by_last, _last(pattern.tokens) if last is None else last, pattern)

    def remove_all(self, victims: set) -> None:
        """Removes many at once (an eviction): one pass over each list, not one per pattern."""
        self.all = [p for p in self.all if p not in victims]
        for index, edge in ((self.by_first, _first), (self.by_last, _last)):
            for key in {edge(p.tokens) for p in victims}:
                items = index.get(key)
                if items is None:
                    continue
                kept = [p for p in items if p not in victims]
                if not kept:
                    del index[key]
                elif len(kept) != len(items):
                    index[key] = kept

    def refile(self, pattern: Pattern, old_first: str, old_last: str) -> None:
        self.remove(pattern, old_first, old_last)
        self.add(pattern)

    def candidates(self, first: Optional[str], last: Optional[str]) -> list[list[Pattern]]:
        if first is None or first == WILDCARD or last is None or last == WILDCARD:
            return [self.all]
        return [self.by_first.get(first, []), self.by_first.get(WILDCARD, []), self.by_last.get(last, []), self.by_last.get(WILDCARD, [])]


class _ServiceState:
    __slots__ = ("by_length", "by_id", "exact", "by_shape", "live")

    def __init__(self) -> None:
        self.by_length: dict[int, _LengthBucket] = {}
        self.by_id: dict[str, list[Pattern]] = {}
        self.exact: dict[str, Pattern] = {}
        self.by_shape: dict[int, Pattern] = {}
        # An ordered set: eviction sorts it, ties kept in insertion order as the daemon's Set does.
        self.live: dict[Pattern, None] = {}


class TemplateMiner:
    def __init__(self, max_patterns_per_service: int = MAX_PATTERNS_PER_SERVICE, similarity: float = SIMILARITY, variable_after: int = VARIABLE_AFTER) -> None:
        self._max = max_patterns_per_service
        self._similarity = similarity
        self._variable_after = variable_after
        self._services: dict[str, _ServiceState] = {}
        # Retired id -> the id that replaced it; least recently set dropped first, as the daemon's LRU.
        self._aliases: OrderedDict[str, str] = OrderedDict()
        self._aliases_max = max(1000, max_patterns_per_service * 4)
        self._tick = 0

    def _state(self, service: str) -> _ServiceState:
        state = self._services.get(service)
        if state is None:
            state = self._services[service] = _ServiceState()
        return state

    def _evict_least_recent(self, state: _ServiceState) -> None:
        ordered = sorted(state.live, key=lambda p: p.last_used)
        victims = ordered[: max(1, math.ceil(len(state.live) * _EVICT_SHARE))]
        by_length: dict[int, set] = {}
        for pattern in victims:
            pattern.evicted = True
            del state.live[pattern]
            _pull(state.by_id, pattern.id, pattern)
            by_length.setdefault(len(pattern.tokens), set()).add(pattern)
        for length, gone in by_length.items():
            bucket = state.by_length.get(length)
            if bucket is not None:
                bucket.remove_all(gone)
        state.exact.clear()
        state.by_shape.clear()

    def add(self, service: str, body: str) -> Pattern:
        state = self._state(service)
        shape = shape_key(body)
        cached = state.by_shape.get(shape)
        pattern = cached.current if cached is not None else None
        if pattern is None or pattern.evicted:
            key = masked(body)
            cached = state.exact.get(key)
            pattern = cached.current if cached is not None else None
            if pattern is None or pattern.evicted:
                pattern = self._match(state, service, [] if not key else key.split(" "))
                if len(state.exact) >= self._max * 4:
                    state.exact.clear()
                state.exact[key] = pattern
            if holds_for_shape(key):
                if len(state.by_shape) >= self._max * 4:
                    state.by_shape.clear()
                state.by_shape[shape] = pattern
        self._tick += 1
        pattern.last_used = self._tick
        pattern.count += 1
        return pattern

    def _bucket(self, state: _ServiceState, length: int) -> _LengthBucket:
        bucket = state.by_length.get(length)
        if bucket is None:
            bucket = state.by_length[length] = _LengthBucket()
        return bucket

    def _match(self, state: _ServiceState, service: str, tokens: list[str]) -> Pattern:
        bucket = self._bucket(state, len(tokens))
        best: Optional[Pattern] = None
        best_score = -1.0
        for candidates in bucket.candidates(tokens[0] if tokens else None, tokens[-1] if tokens else None):
            for candidate in candidates:
                s = _similarity(candidate.tokens, tokens)
                if s > best_score:
                    best, best_score = candidate, s
        if best is None or best_score < self._similarity:
            return self._wider_match(state, tokens) or self._narrower_match(state, tokens) or self._create(state, bucket, service, tokens)
        differing = [i for i, word in enumerate(tokens) if best.tokens[i] != WILDCARD and best.tokens[i] != word and not _fits_bracketed(best.tokens[i], word)]
        if not differing:
            return best
        if len(differing) > 1:
            if any((names_event(best.tokens[i]) and names_event(tokens[i])) or _emptied_field(best.tokens[i], tokens[i]) for i in differing):
                return self._create(state, bucket, service, tokens)
            return self._generalise(state, bucket, best, differing, tokens)
        position = differing[0]
        word = tokens[position]
        siblings = best.siblings.setdefault(position, {})
        known = siblings.get(word)
        if known is not None:
            known = known.current
            if not known.evicted and known is not best:
                return known
        words = {best.tokens[position]}
        for w, sibling in siblings.items():
            if sibling.merged_into is None and not sibling.evicted:
                words.add(w)
        if not is_variable_position(words, word, self._variable_after):
            sibling = self._create(state, bucket, service, tokens)
            siblings[word] = sibling
            return sibling
        standing = self._generalise(state, bucket, best, [position], tokens)
        for sibling in list(siblings.values()):
            self._fold(state, sibling.current, standing)
        best.siblings.pop(position, None)
        return standing

    def _create(self, state: _ServiceState, bucket: _LengthBucket, service: str, tokens: list[str]) -> Pattern:
        pattern = Pattern(service, tokens)
        bucket.add(pattern)
        state.live[pattern] = None
        _push(state.by_id, pattern.id, pattern)
        self._stand(pattern.id)
        self._tick += 1
        pattern.last_used = self._tick
        if len(state.live) > self._max:
            self._evict_least_recent(state)
        return pattern

    def _generalise(self, state: _ServiceState, bucket: _LengthBucket, pattern: Pattern, positions: list[int], body: Optional[list[str]] = None) -> Pattern:
        old_id = pattern.id
        old_first = pattern.tokens[0]
        old_last = pattern.tokens[-1]
        for p in positions:
            pattern.tokens[p] = bracketed_variable(pattern.tokens[p], body[p]) if body is not None else WILDCARD
        pattern.refresh()
        if pattern.tokens[0] != old_first or pattern.tokens[-1] != old_last:
            bucket.refile(pattern, old_first, old_last)
        if pattern.id == old_id:
            return pattern
        _pull(state.by_id, old_id, pattern)
        twin = next((q for q in state.by_id.get(pattern.id, []) if len(q.tokens) == len(pattern.tokens) and q.tokens == pattern.tokens), None)
        _push(state.by_id, pattern.id, pattern)
        self._stand(pattern.id)
        self._retire_if_unheld(state, old_id, pattern.id)
        if twin is not None:
            self._fold(state, pattern, twin)
            return twin
        return pattern

    def _narrower_match(self, state: _ServiceState, tokens: list[str]) -> Optional[Pattern]:
        bucket = state.by_length.get(len(tokens) + 1)
        if bucket is None:
            return None
        constants = sum(1 for t in tokens if t != WILDCARD)
        if constants < 2 or constants < self._similarity * (constants + 1):
            return None
        for candidates in bucket.candidates(tokens[0] if tokens else None, tokens[-1] if tokens else None):
            for candidate in candidates:
                extra = _extra_word_beside_wildcard(candidate.tokens, tokens)
                if extra >= 0 and not names_event(candidate.tokens[extra]):
                    return self._generalise(state, bucket, candidate, [extra])
        return None

    def _wider_match(self, state: _ServiceState, tokens: list[str]) -> Optional[Pattern]:
        width = len(tokens) - 1
        while width >= 1 and width >= len(tokens) - _MAX_EXTRA_TOKENS:
            bucket = state.by_length.get(width)
            if bucket is not None:
                for candidates in bucket.candidates(tokens[0] if tokens else None, tokens[-1] if tokens else None):
                    for candidate in candidates:
                        if self._covers(candidate.tokens, tokens):
                            return candidate
            width -= 1
        return None

    def _covers(self, template: list[str], tokens: list[str]) -> bool:
        constants = sum(1 for t in template if t != WILDCARD)
        words = sum(1 for t in tokens if t != WILDCARD)
        if constants == len(template) or constants < 2 or words - constants > 1 or constants < self._similarity * words:
            return False
        return glob_matches(template, tokens)

    def _fold(self, state: _ServiceState, source: Pattern, into: Pattern) -> None:
        if source is into or source.merged_into is not None or source.evicted:
            return
        state.live.pop(source, None)
        _pull(state.by_id, source.id, source)
        source.merged_into = into
        into.count += source.count
        self._retire_if_unheld(state, source.id, into.id)
        self._bucket(state, len(source.tokens)).remove(source)

    def _retire_if_unheld(self, state: _ServiceState, source: str, target: str) -> None:
        if source not in state.by_id:
            self._retire(source, target)

    def _retire(self, source: str, target: str) -> None:
        if source == target:
            return
        self._aliases.pop(target, None)
        self._aliases.pop(source, None)
        self._aliases[source] = target
        while len(self._aliases) > self._aliases_max:
            self._aliases.popitem(last=False)

    def _stand(self, pid: str) -> None:
        self._aliases.pop(pid, None)

    def resolve(self, pid: str) -> str:
        current = pid
        for _ in range(_MAX_ALIAS_HOPS):
            nxt = self._aliases.get(current)
            if nxt is None or nxt == pid:
                break
            current = nxt
        return current

    def holders(self, service: str, pid: str) -> list[Pattern]:
        state = self._services.get(service)
        return list(state.by_id.get(pid, [])) if state is not None else []
