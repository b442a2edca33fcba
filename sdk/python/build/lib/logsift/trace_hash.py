"""A number in [0, 1) that is the same for every record of a trace (the daemon's trace_hash.ts): FNV-1a over
the id's bytes, then MurmurHash3's finaliser."""

from __future__ import annotations

_MASK = 0xFFFFFFFF


def trace_uniform(trace_id: bytes) -> float:
    h = 0x811C9DC5
    for byte in trace_id:
        h = ((h ^ byte) * 0x01000193) & _MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h / 4294967296
