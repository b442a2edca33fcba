package logsift

// Sampling at the source, as the daemon's sampler decides (processors/sampler/decision.ts and factory.ts):
// severity at or above the kept rank is kept, then a matching keep rule, then the first K of the pattern's
// window; the rest with the policy's probability (the pattern's own, else its severity's in static mode, else
// its share of the dynamic budget), never below the floor, drawn from the trace id when there is one. A source
// cannot boost: anomalies are found at the daemon.

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"sync"
)

// Record is what the sampler reads of a log record.
type Record struct {
	Service        string
	Body           any
	TimeMs         int64
	SeverityNumber int
	SeverityText   string
	// TraceID: 16 bytes, or nil; all zeros is no trace (W3C: invalid).
	TraceID    []byte
	Attributes map[string]any
	// AttributesOf gives the attributes when Attributes is nil: built only when a keep rule must read them.
	AttributesOf func() map[string]any
}

func (r *Record) attributes() map[string]any {
	if r.Attributes == nil && r.AttributesOf != nil {
		r.Attributes = r.AttributesOf()
	}
	return r.Attributes
}

// Decision is the sampler's verdict on one record.
type Decision struct {
	Keep      bool
	PatternID string
	Template  string
	// SampleCount: for a kept record, the records it stands for (itself and its pattern's and severity's drops since).
	SampleCount int
	// SampleRate: 1 / the probability the record was kept (or dropped) with.
	SampleRate float64
	Reason     string
}

// SamplerOptions are the daemon's sampler settings the source must share.
type SamplerOptions struct {
	WindowSeconds float64 // 60 when zero
	MinKeep       float64 // KeepFloor when zero
	KeepAtOrAbove string  // ERROR when empty
	MaxPatterns   int
}

type compiledPolicy struct {
	policy Policy
	rules  predicate
	shares *shares
}

// Sampler is safe for concurrent use: one lock around each decision.
type Sampler struct {
	mu       sync.Mutex
	windowMs int64
	minKeep  float64
	keepRank int
	miner    *Miner
	ledger   *ledger
	base     Policy
	policies map[string]Policy
	compiled map[string]*compiledPolicy
	global   *shares
}

func NewSampler(options SamplerOptions) *Sampler {
	window := options.WindowSeconds
	if window == 0 {
		window = 60
	}
	minKeep := options.MinKeep
	if minKeep == 0 {
		minKeep = KeepFloor
	}
	keepRank := errorRank
	for i, c := range severityClasses {
		if c == options.KeepAtOrAbove && i < keepRank {
			keepRank = i
		}
	}
	windowMs := int64(window * 1000)
	return &Sampler{windowMs: windowMs, minKeep: minKeep, keepRank: keepRank, miner: NewMiner(options.MaxPatterns), ledger: newLedger(windowMs), base: DefaultPolicy("*"), policies: map[string]Policy{}, compiled: map[string]*compiledPolicy{}, global: freshShares()}
}

// WindowSeconds is the sampler window reported to the daemon.
func (s *Sampler) WindowSeconds() float64 { return float64(s.windowMs) / 1000 }

func (s *Sampler) policyOf(service string) Policy {
	if p, ok := s.policies[service]; ok {
		return p
	}
	return s.base
}

// SetPolicy puts a policy in force between two records: for its service, or every service when it is `*`.
func (s *Sampler) SetPolicy(p Policy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Service == "*" {
		s.base = p
	} else {
		s.policies[p.Service] = p
	}
	s.compiled = map[string]*compiledPolicy{}
	s.global.window = -1
}

func (s *Sampler) compile(service string) *compiledPolicy {
	c, ok := s.compiled[service]
	if !ok {
		p := s.policyOf(service)
		c = &compiledPolicy{policy: p, rules: compileKeepRules(p.KeepRules), shares: freshShares()}
		s.compiled[service] = c
	}
	return c
}

func (s *Sampler) reshareMs() int64 { return min(1000, s.windowMs) }

func (s *Sampler) share(c *compiledPolicy, service, pattern string, windowStart, now int64) float64 {
	global := c.policy.Budget.Scope == "global"
	sh, key := c.shares, pattern
	if global {
		sh, key = s.global, service+"\x00"+pattern
	}
	_, known := sh.keep[key]
	if sh.window != windowStart || (!known && now-sh.computedAt >= s.reshareMs()) {
		if global {
			sh.keep = s.shareGlobal(now)
		} else {
			keys, rates := s.ledger.rates(service, now, s.reshareMs())
			pins := c.policy.PatternKeep
			sh.keep = shareBudget(c.policy.Budget, keys, rates, func(p string) (float64, bool) { v, ok := pins[p]; return v, ok }, float64(s.windowMs)/1000, s.minKeep)
		}
		sh.window = windowStart
		sh.computedAt = now
	}
	if p, ok := sh.keep[key]; ok {
		return p
	}
	return 1
}

func (s *Sampler) shareGlobal(now int64) map[string]float64 {
	var keys []string
	rates := map[string]patternRates{}
	for _, other := range s.ledger.order {
		p := s.policyOf(other)
		if p.Mode != "dynamic" || p.Budget.Scope != "global" {
			continue
		}
		patterns, r := s.ledger.rates(other, now, s.reshareMs())
		for _, pattern := range patterns {
			keys = append(keys, other+"\x00"+pattern)
			rates[other+"\x00"+pattern] = r[pattern]
		}
	}
	pinned := func(key string) (float64, bool) {
		for i := 0; i < len(key); i++ {
			if key[i] == 0 {
				v, ok := s.policyOf(key[:i]).PatternKeep[key[i+1:]]
				return v, ok
			}
		}
		return 0, false
	}
	return shareBudget(s.base.Budget, keys, rates, pinned, float64(s.windowMs)/1000, s.minKeep)
}

func traceDraw(id []byte) (float64, bool) {
	for _, b := range id {
		if b != 0 {
			return traceUniform(id), true
		}
	}
	return 0, false
}

// ParseTraceID reads 32 hex digits; nil for anything else.
func ParseTraceID(id string) []byte {
	if len(id) != 32 {
		return nil
	}
	b, err := hex.DecodeString(id)
	if err != nil {
		return nil
	}
	return b
}

// Decide judges one record, as the daemon's sampler would.
func (s *Sampler) Decide(r Record) Decision {
	text := bodySignature(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	pattern := s.miner.Add(r.Service, text)
	class := severityClassIndex(r.SeverityNumber, r.SeverityText)
	e := s.ledger.entry(r.Service, pattern.ID, r.TimeMs)
	c := s.compile(r.Service)
	policy := c.policy
	keep, probability, reason, forced := true, 1.0, "", true
	switch {
	case class >= s.keepRank:
		reason = "severity"
	case len(policy.KeepRules) > 0 && c.rules(r.attributes()):
		reason = "rule"
	case e.seen < policy.FirstKPerWindow:
		reason = "first"
	default:
		forced = false
		wanted, own := policy.PatternKeep[pattern.ID]
		if !own {
			if policy.Mode != "dynamic" {
				var set bool
				if wanted, set = policy.SeverityKeep[severityClasses[class]]; !set {
					wanted = 1
				}
			} else {
				wanted = s.share(c, r.Service, pattern.ID, e.windowStart, r.TimeMs)
			}
		}
		probability = math.Min(1, math.Max(s.minKeep, wanted))
		draw, traced := traceDraw(r.TraceID)
		if !traced {
			draw = rand.Float64()
		}
		keep, reason = draw < probability, "sampled"
	}
	s.ledger.note(e, bodyLength(r.Body, text), keep, forced, class)
	count := 0
	if keep {
		count = 1 + e.pending[class]
		e.pending[class] = 0
	} else {
		e.pending[class]++
	}
	return Decision{Keep: keep, PatternID: pattern.ID, Template: pattern.Template, SampleCount: count, SampleRate: 1 / probability, Reason: reason}
}

// Windows gives the windows completed by nowMs (or every window): what the daemon is told the source saw and kept.
func (s *Sampler) Windows(nowMs int64, every bool) []Window {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ledger.closeEnded(nowMs)
	windows := s.ledger.drain(every)
	s.ledger.forgetIdle(nowMs)
	return windows
}

// TemplateOf is the template a pattern id stands for now.
func (s *Sampler) TemplateOf(service, id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.miner.Template(service, id)
}
