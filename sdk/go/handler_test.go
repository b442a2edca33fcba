package logsift

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// jsonLines sets a Handler in front of slog's JSON handler and reads back what reached it.
type jsonLines struct{ buf bytes.Buffer }

func (j *jsonLines) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(j.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out = append(out, r)
	}
	return out
}

func staticPolicy(t *testing.T, raw string) Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(raw), "shop")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const keepNoInfo = `{"service":"shop","version":3,"mode":"static","severity_keep":{"UNSPECIFIED":0,"TRACE":0,"DEBUG":0,"INFO":0,"WARN":0,"ERROR":1,"FATAL":1},"pattern_keep":{},"budget":{"records_per_second":null,"bytes_per_second":null,"keep_fraction":null,"scope":"service"},"first_k_per_window":1,"keep_rules":[{"attribute":"request.user","op":"==","value":"vip"}],"anomaly_boost":{"keep":1,"cooldown_seconds":60},"reasoning":"test"}`

func newTestHandler(t *testing.T) (*jsonLines, *slog.Logger, *Sampler) {
	lines := &jsonLines{}
	sampler := NewSampler(SamplerOptions{})
	sampler.SetPolicy(staticPolicy(t, keepNoInfo))
	return lines, slog.New(NewHandler(slog.NewJSONHandler(&lines.buf, &slog.HandlerOptions{Level: slog.LevelDebug}), sampler, "shop")), sampler
}

func TestHandlerDropsNoiseAndMarksWhatItKeepsWithTheDrops(t *testing.T) {
	lines, logger, _ := newTestHandler(t)
	for i := range 10 {
		logger.Info("cache miss for key", "i", i)
	}
	logger.Error("payment failed")
	got := lines.records(t)
	if len(got) != 2 {
		t.Fatalf("kept %d records, want the pattern's first and the error: %v", len(got), got)
	}
	if got[0][SampleReasonAttribute] != "first" || got[0][SampleCountAttribute] != float64(1) {
		t.Errorf("the first of a pattern: %v", got[0])
	}
	if got[1][SampleReasonAttribute] != "severity" || got[1][SampleCountAttribute] != float64(1) || got[1][PatternAttribute] == got[0][PatternAttribute] {
		t.Errorf("the error: %v", got[1])
	}
	_, _, fresh := newTestHandler(t)
	// The same body and level through a sampler directly: the handler signs as Decide does.
	d := fresh.Decide(Record{Service: "shop", Body: "cache miss for key", SeverityNumber: 9, SeverityText: "INFO"})
	if d.PatternID != got[0][PatternAttribute] {
		t.Errorf("pattern id %v from the handler, %s from Decide", got[0][PatternAttribute], d.PatternID)
	}
}

func TestHandlerKeepsMarksAtTheTopLevelWithGroupsOpen(t *testing.T) {
	lines, logger, _ := newTestHandler(t)
	logger.With("channel", "api").WithGroup("request").With("path", "/pay").WithGroup("db").Info("slow query", "ms", 900)
	got := lines.records(t)
	if len(got) != 1 {
		t.Fatalf("%v", got)
	}
	r := got[0]
	if r[SampleCountAttribute] != float64(1) || r[PatternAttribute] == nil || r["channel"] != "api" {
		t.Errorf("marks and top-level attributes: %v", r)
	}
	request, _ := r["request"].(map[string]any)
	db, _ := request["db"].(map[string]any)
	if request["path"] != "/pay" || db["ms"] != float64(900) {
		t.Errorf("the groups as slog nests them: %v", r)
	}
}

func TestHandlerKeepRulesReadGroupedAttributes(t *testing.T) {
	lines, logger, _ := newTestHandler(t)
	vip := logger.WithGroup("request")
	vip.Info("checkout started", "user", "someone")
	vip.Info("checkout started", "user", "someone")
	vip.Info("checkout started", "user", "vip")
	got := lines.records(t)
	if len(got) != 2 || got[1][SampleReasonAttribute] != "rule" || got[1][SampleCountAttribute] != float64(2) {
		t.Fatalf("the first, then the rule's match carrying the drop before it: %v", got)
	}
}

func TestHandlerPassesRecordsSampledUpstreamAsTheyCame(t *testing.T) {
	lines, logger, _ := newTestHandler(t)
	for range 3 {
		logger.Info("relayed", SampleCountAttribute, 40, PatternAttribute, "p-upstream")
	}
	got := lines.records(t)
	if len(got) != 3 || got[2][SampleCountAttribute] != float64(40) || got[2][PatternAttribute] != "p-upstream" || got[2][SampleReasonAttribute] != nil {
		t.Fatalf("records already marked go on unchanged: %v", got)
	}
}

func TestHandlerDrawsFromTheTraceSoATraceIsKeptWhole(t *testing.T) {
	outcomes := map[int]bool{}
	for _, id := range []string{"4bf92f3577b34da6a3ce929d0e0e4736", "00000000000000000000000000000001", "ffffffffffffffffffffffffffffffff"} {
		lines := &jsonLines{}
		sampler := NewSampler(SamplerOptions{})
		sampler.SetPolicy(staticPolicy(t, strings.Replace(keepNoInfo, `"INFO":0`, `"INFO":0.46`, 1)))
		logger := slog.New(NewHandler(slog.NewJSONHandler(&lines.buf, nil), sampler, "shop"))
		traceID, _ := trace.TraceIDFromHex(id)
		ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: trace.SpanID{1}}))
		logger.InfoContext(ctx, "step done")
		for range 20 {
			logger.InfoContext(ctx, "step done")
		}
		kept := len(lines.records(t)) - 1
		want := 0
		if traceUniform(traceID[:]) < 0.46 {
			want = 20
		}
		if kept != want {
			t.Errorf("trace %s: kept %d of 20 after the first, want %d (one draw per trace)", id, kept, want)
		}
		outcomes[kept] = true
	}
	if !outcomes[0] || !outcomes[20] {
		t.Errorf("the traces chosen must be kept whole and dropped whole: %v", outcomes)
	}
}

func TestHandlerPassesRecordsOnUnmarkedWhenTheSamplerFails(t *testing.T) {
	lines := &jsonLines{}
	handler := NewHandler(slog.NewJSONHandler(&lines.buf, nil), nil, "shop")
	slog.New(handler).Info("still logged")
	got := lines.records(t)
	if len(got) != 1 || got[0][SampleCountAttribute] != nil || handler.Failures() != 1 {
		t.Fatalf("a failed decision passes the record on unmarked, counted: %v (failures %d)", got, handler.Failures())
	}
}
