package logsift

// The sampling policy as the daemon serves it (policy/policy.ts): its shape, its default, and the check a
// policy passes before it is put in force here (the daemon validated it against its full schema already; this
// guards what the decision reads, so a garbled answer is refused instead of failing inside a log call).

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// KeepFloor is the daemon's min_keep: no probability goes below it.
const KeepFloor = 0.001

type Budget struct {
	RecordsPerSecond *float64 `json:"records_per_second"`
	BytesPerSecond   *float64 `json:"bytes_per_second"`
	KeepFraction     *float64 `json:"keep_fraction"`
	Scope            string   `json:"scope"`
}

type KeepRule struct {
	Attribute string `json:"attribute"`
	Op        string `json:"op"`
	Value     any    `json:"value,omitempty"`
}

type Policy struct {
	Service         string             `json:"service"`
	Version         int                `json:"version"`
	Mode            string             `json:"mode"`
	SeverityKeep    map[string]float64 `json:"severity_keep"`
	PatternKeep     map[string]float64 `json:"pattern_keep"`
	Budget          Budget             `json:"budget"`
	FirstKPerWindow int                `json:"first_k_per_window"`
	KeepRules       []KeepRule         `json:"keep_rules"`
	AnomalyBoost    *json.RawMessage   `json:"anomaly_boost"`
	Reasoning       string             `json:"reasoning"`
}

// DefaultPolicy is the daemon's built-in default: 5% of the records, errors and each pattern's first kept.
func DefaultPolicy(service string) Policy {
	fraction := 0.05
	boost := json.RawMessage(`{"keep":1,"cooldown_seconds":60}`)
	return Policy{
		Service:         service,
		Mode:            "dynamic",
		SeverityKeep:    map[string]float64{"UNSPECIFIED": 0.1, "TRACE": 0.01, "DEBUG": 0.02, "INFO": 0.1, "WARN": 0.5, "ERROR": 1, "FATAL": 1},
		PatternKeep:     map[string]float64{},
		Budget:          Budget{KeepFraction: &fraction, Scope: "service"},
		FirstKPerWindow: 1,
		KeepRules:       []KeepRule{},
		AnomalyBoost:    &boost,
		Reasoning:       "built-in default",
	}
}

func probability(p float64) bool { return p >= 0 && p <= 1 }

func positive(p *float64) bool { return p == nil || *p > 0 }

// ParsePolicy reads a policy the daemon served for `service`; an error says why it cannot be put in force.
func ParsePolicy(data []byte, service string) (Policy, error) {
	var p Policy
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("not a policy: %w", err)
	}
	if p.Service != service && p.Service != "*" {
		return p, fmt.Errorf("it is for service %s, not %s", p.Service, service)
	}
	if p.Mode != "static" && p.Mode != "dynamic" {
		return p, fmt.Errorf("mode is neither static nor dynamic")
	}
	if p.SeverityKeep == nil || p.PatternKeep == nil {
		return p, fmt.Errorf("severity_keep and pattern_keep are required")
	}
	for _, m := range []map[string]float64{p.SeverityKeep, p.PatternKeep} {
		for name, v := range m {
			if !probability(v) {
				return p, fmt.Errorf("%s: %v is not a probability", name, v)
			}
		}
	}
	b := p.Budget
	if !positive(b.RecordsPerSecond) || !positive(b.BytesPerSecond) || !positive(b.KeepFraction) || (b.KeepFraction != nil && *b.KeepFraction > 1) {
		return p, fmt.Errorf("budget is malformed")
	}
	if p.Mode == "dynamic" && b.RecordsPerSecond == nil && b.BytesPerSecond == nil && b.KeepFraction == nil {
		return p, fmt.Errorf("dynamic mode needs a budget")
	}
	if p.FirstKPerWindow < 0 {
		return p, fmt.Errorf("first_k_per_window must be a whole number")
	}
	if p.KeepRules == nil {
		return p, fmt.Errorf("keep_rules must be a list")
	}
	for _, rule := range p.KeepRules {
		if rule.Attribute == "" {
			return p, fmt.Errorf("a keep rule is malformed")
		}
		if rule.Op == "matches" {
			if _, err := regexp.Compile(jsString(rule.Value)); err != nil {
				return p, fmt.Errorf("keep rule on %s: not a regular expression", rule.Attribute)
			}
		}
	}
	if p.AnomalyBoost == nil {
		return p, fmt.Errorf("anomaly_boost is missing")
	}
	return p, nil
}
