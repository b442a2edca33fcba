package logsift

// The Go SDK against the shared vectors (sdk/vectors): its miner gives every body the daemon's pattern id and
// template step by step, and its sampler decides every record of every case as the daemon's sampler did:
// keep or drop, reason, sample count and rate.

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"testing"
)

func readLines(t *testing.T, name string) []map[string]any {
	t.Helper()
	f, err := os.Open("../vectors/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var v map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestPatternVectors(t *testing.T) {
	for _, name := range []string{"patterns.jsonl", "patterns_evicting.jsonl"} {
		vectors := readLines(t, name)
		limit, _ := vectors[0]["max_patterns"].(float64)
		s := NewSampler(SamplerOptions{MaxPatterns: int(limit)})
		for i, v := range vectors {
			d := s.Decide(Record{Service: v["service"].(string), Body: v["body"], SeverityNumber: 17})
			if d.PatternID != v["id"] || d.Template != v["template"] {
				t.Fatalf("%s, vector %d: %q: got %s %q, want %s %q", name, i+1, v["body"], d.PatternID, d.Template, v["id"], v["template"])
			}
		}
	}
}

func TestDecisionVectors(t *testing.T) {
	raw, err := os.ReadFile("../vectors/decision_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string
		Settings struct {
			WindowSeconds float64 `json:"window_seconds"`
			MinKeep       float64 `json:"min_keep"`
			KeepAtOrAbove string  `json:"keep_at_or_above"`
		}
		Policy json.RawMessage
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	records := readLines(t, "decisions.jsonl")
	for _, c := range cases {
		policy, err := ParsePolicy(c.Policy, "*")
		if err != nil {
			t.Fatal(c.Name, err)
		}
		s := NewSampler(SamplerOptions{WindowSeconds: c.Settings.WindowSeconds, MinKeep: c.Settings.MinKeep, KeepAtOrAbove: c.Settings.KeepAtOrAbove})
		s.SetPolicy(policy)
		checked := 0
		for _, v := range records {
			if v["case"] != c.Name {
				continue
			}
			checked++
			trace, _ := v["trace_id"].(string)
			d := s.Decide(Record{Service: v["service"].(string), Body: v["body"], TimeMs: int64(v["time_ms"].(float64)), SeverityNumber: int(v["severity_number"].(float64)), SeverityText: v["severity_text"].(string), TraceID: ParseTraceID(trace), Attributes: v["attributes"].(map[string]any)})
			where := c.Name + ": " + v["body"].(string)
			if d.PatternID != v["pattern_id"] || d.Keep != v["keep"] {
				t.Fatalf("%s: got %s keep=%v, want %s keep=%v", where, d.PatternID, d.Keep, v["pattern_id"], v["keep"])
			}
			if !d.Keep {
				continue
			}
			rate := v["sample_rate"].(float64)
			if d.Reason != v["reason"] || float64(d.SampleCount) != v["sample_count"] || math.Abs(d.SampleRate-rate) > 1e-9*rate {
				t.Fatalf("%s: got %s %d %v, want %v %v %v", where, d.Reason, d.SampleCount, d.SampleRate, v["reason"], v["sample_count"], rate)
			}
		}
		if checked < 1000 {
			t.Fatalf("%s: only %d records", c.Name, checked)
		}
	}
}
