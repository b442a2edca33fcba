package logsift

// Source sampling as an slog.Handler in front of any other (the OpenTelemetry bridge's, in Configure): each
// record is decided first, so a dropped one costs only the decision; a kept one goes on marked as the
// daemon's sampler marks what it keeps — pattern id, sample count, rate and reason, at the top level where the
// daemon reads them however many groups are open — so the daemon passes it as sampled upstream. A record
// already marked (sampled by an earlier handler) goes on as it is. A record the sampler fails on goes on
// unmarked, for the daemon to sample: the application never sees a panic or an error from here.

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// The attributes the daemon's sampler reads and writes (processors/sampler/sample_attributes.ts).
const (
	PatternAttribute      = "logsift.pattern.id"
	SampleCountAttribute  = "logsift.sample_count"
	SampleRateAttribute   = "logsift.sample_rate"
	SampleReasonAttribute = "logsift.sample_reason"
)

// slog's levels sit 9 below OpenTelemetry's severity numbers (DEBUG -4 → 5, INFO 0 → 9, …), as the bridge maps them.
const severityOffset = 9

type handlerState struct {
	sampler  *Sampler
	service  string
	failures atomic.Int64
}

// scopedAttrs are attributes added after the first `depth` groups were opened.
type scopedAttrs struct {
	depth int
	attrs []slog.Attr
}

// Handler samples records before the handler it wraps sees them.
type Handler struct {
	next   slog.Handler
	state  *handlerState
	groups []string
	scoped []scopedAttrs
	// ruleAttrs are the attributes added with WithAttrs, flattened (group names joined with dots) for keep rules.
	ruleAttrs map[string]any
}

// NewHandler samples for service (the resource's service.name the records go out with) in front of next.
func NewHandler(next slog.Handler, sampler *Sampler, service string) *Handler {
	return &Handler{next: next, state: &handlerState{sampler: sampler, service: service}}
}

// Failures counts records the sampler failed on (passed on unsampled).
func (h *Handler) Failures() int64 { return h.state.failures.Load() }

func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	out := *h
	out.ruleAttrs = make(map[string]any, len(h.ruleAttrs)+len(attrs))
	for k, v := range h.ruleAttrs {
		out.ruleAttrs[k] = v
	}
	flatten(out.ruleAttrs, strings.Join(h.groups, "."), attrs)
	if len(h.groups) == 0 {
		// No group open: the next handler can take them once, as it would without us.
		out.next = h.next.WithAttrs(attrs)
	} else {
		out.scoped = append(append([]scopedAttrs(nil), h.scoped...), scopedAttrs{len(h.groups), attrs})
	}
	return &out
}

// WithGroup keeps groups here rather than in the next handler, so the marks stay at the top level.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	out := *h
	out.groups = append(append([]string(nil), h.groups...), name)
	return &out
}

func flatten(into map[string]any, prefix string, attrs []slog.Attr) {
	for _, a := range attrs {
		key := a.Key
		if prefix != "" {
			key = prefix + "." + key
		}
		value := a.Value.Resolve()
		if value.Kind() == slog.KindGroup {
			flatten(into, key, value.Group())
		} else {
			into[key] = value.Any()
		}
	}
}

func marked(r slog.Record) (found bool) {
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == SampleCountAttribute
		return !found
	})
	return found
}

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if marked(r) {
		return h.next.Handle(ctx, r)
	}
	decision, ok := h.decide(ctx, r)
	if ok && !decision.Keep {
		return nil
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	if len(h.groups) == 0 {
		out = r.Clone()
	} else {
		var own []slog.Attr
		r.Attrs(func(a slog.Attr) bool { own = append(own, a); return true })
		out.AddAttrs(slog.Attr{Key: h.groups[0], Value: slog.GroupValue(h.nest(1, own)...)})
	}
	if ok {
		out.AddAttrs(
			slog.String(PatternAttribute, decision.PatternID),
			slog.Int(SampleCountAttribute, decision.SampleCount),
			slog.Float64(SampleRateAttribute, decision.SampleRate),
			slog.String(SampleReasonAttribute, decision.Reason),
		)
	}
	return h.next.Handle(ctx, out)
}

// nest builds the attributes inside the first `depth` groups: those added there, then the next group or the record's own.
func (h *Handler) nest(depth int, own []slog.Attr) []slog.Attr {
	var attrs []slog.Attr
	for _, s := range h.scoped {
		if s.depth == depth {
			attrs = append(attrs, s.attrs...)
		}
	}
	if depth == len(h.groups) {
		return append(attrs, own...)
	}
	return append(attrs, slog.Attr{Key: h.groups[depth], Value: slog.GroupValue(h.nest(depth+1, own)...)})
}

func (h *Handler) decide(ctx context.Context, r slog.Record) (decision Decision, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			h.state.failures.Add(1)
			ok = false
		}
	}()
	when := r.Time
	if when.IsZero() {
		when = time.Now()
	}
	var traceID []byte
	if span := trace.SpanContextFromContext(ctx); span.HasTraceID() {
		id := span.TraceID()
		traceID = id[:]
	}
	record := Record{
		Service:        h.state.service,
		Body:           r.Message,
		TimeMs:         when.UnixMilli(),
		SeverityNumber: int(r.Level) + severityOffset,
		SeverityText:   r.Level.String(),
		TraceID:        traceID,
		AttributesOf: func() map[string]any {
			attrs := make(map[string]any, len(h.ruleAttrs)+r.NumAttrs())
			for k, v := range h.ruleAttrs {
				attrs[k] = v
			}
			var own []slog.Attr
			r.Attrs(func(a slog.Attr) bool { own = append(own, a); return true })
			flatten(attrs, strings.Join(h.groups, "."), own)
			return attrs
		},
	}
	return h.state.sampler.Decide(record), true
}
