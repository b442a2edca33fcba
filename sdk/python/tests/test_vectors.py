"""The Python SDK against the shared vectors (sdk/vectors): its miner gives every body the daemon's pattern id
and template step by step, and its source sampler decides every record of every case as the daemon's sampler
did: keep or drop, reason, sample count and rate."""

import json
import math
from pathlib import Path

import pytest

from logsift import SourceSampler
from logsift.template_miner import MAX_PATTERNS_PER_SERVICE

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _lines(name):
    return [json.loads(line) for line in (VECTORS / name).read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("name", ["patterns.jsonl", "patterns_evicting.jsonl"])
def test_pattern_ids_and_templates_step_by_step(name):
    vectors = _lines(name)
    sampler = SourceSampler(max_patterns=vectors[0].get("max_patterns", MAX_PATTERNS_PER_SERVICE))
    for i, v in enumerate(vectors):
        d = sampler.decide(v["service"], v["body"], 0, severity_number=17)
        assert (d.pattern_id, d.template) == (v["id"], v["template"]), f"{name}, vector {i + 1}: {v['body']}"


def test_decisions_sample_counts_and_rates_in_every_case():
    cases = json.loads((VECTORS / "decision_cases.json").read_text(encoding="utf-8"))
    records = _lines("decisions.jsonl")
    for case in cases:
        settings = case["settings"]
        sampler = SourceSampler(window_seconds=settings["window_seconds"], min_keep=settings["min_keep"], keep_at_or_above=settings["keep_at_or_above"])
        sampler.set_policy(case["policy"])
        for v in (r for r in records if r["case"] == case["name"]):
            d = sampler.decide(v["service"], v["body"], v["time_ms"], v["severity_number"], v["severity_text"], v["trace_id"], v["attributes"])
            where = f"{case['name']} at {v['time_ms']}: {v['body']}"
            assert d.pattern_id == v["pattern_id"], where
            assert d.keep == v["keep"], where
            if v["keep"]:
                assert d.reason == v["reason"], where
                assert d.sample_count == v["sample_count"], where
                assert math.isclose(d.sample_rate, v["sample_rate"], rel_tol=1e-9), where
