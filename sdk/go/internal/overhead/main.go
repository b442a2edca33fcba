// The Go SDK's overhead, for bench/sdk_go.ts: each record timed through the OpenTelemetry slog bridge alone
// (the baseline: what an app exports without logsift) and through logsift's Handler in front of the same
// bridge, in alternating rounds over the same calls; the decision alone timed too; then the sampler's heap
// after 10,000, 50,000 and 100,000 distinct templates (its miner holds 10,000). Records carry times 1/rate apart
// (a busy service's pace, not the benchmark loop's: the sampler shares its budget by record time), and the
// completed windows are taken between calls as the reporter takes them. Prints one JSON object.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"slices"
	"time"

	logsift "github.com/logsift/logsift/sdk/go"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
)

type call struct {
	B string `json:"b"`
	S string `json:"s"`
	T string `json:"t"`
}

type discard struct{}

func (discard) Export(context.Context, []sdklog.Record) error { return nil }
func (discard) Shutdown(context.Context) error                { return nil }
func (discard) ForceFlush(context.Context) error              { return nil }

var levels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func readLines(file string) []string {
	f, err := os.Open(file)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var lines []string
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	return lines
}

func bridge() (slog.Handler, *sdklog.LoggerProvider) {
	provider := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(discard{})))
	return otelslog.NewHandler("bench", otelslog.WithLoggerProvider(provider)), provider
}

// counting passes records on and counts them (both arms pay the same for it).
type counting struct {
	slog.Handler
	records int
}

func (c *counting) Handle(ctx context.Context, r slog.Record) error {
	c.records++
	return c.Handler.Handle(ctx, r)
}

type summary struct {
	P50  float64 `json:"p50_us"`
	P99  float64 `json:"p99_us"`
	Mean float64 `json:"mean_us"`
}

func summarise(ns []int64) summary {
	slices.Sort(ns)
	var total int64
	for _, n := range ns {
		total += n
	}
	at := func(q float64) float64 { return float64(ns[int(q*float64(len(ns)-1))]) / 1000 }
	return summary{at(0.5), at(0.99), math.Round(float64(total)/float64(len(ns))) / 1000}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func main() {
	callsFile := flag.String("calls", "", "the calls (JSON lines)")
	templatesFile := flag.String("templates", "", "bodies of distinct templates, one a line")
	rounds := flag.Int("rounds", 10, "rounds per arm")
	perRound := flag.Int("per-round", 10000, "calls per arm and round")
	rate := flag.Float64("rate", 2000, "records a second of record time")
	flag.Parse()

	var calls []call
	for _, line := range readLines(*callsFile) {
		var c call
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			panic(err)
		}
		calls = append(calls, c)
	}
	contexts := make([]context.Context, len(calls))
	for i, c := range calls {
		contexts[i] = context.Background()
		if id, err := trace.TraceIDFromHex(c.T); err == nil {
			contexts[i] = trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: id, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled}))
		}
	}

	baseHandler, baseProvider := bridge()
	sdkBridge, sdkProvider := bridge()
	sampler := logsift.NewSampler(logsift.SamplerOptions{})
	lone := logsift.NewSampler(logsift.SamplerOptions{})
	baseHandler = &counting{Handler: baseHandler}
	arms := map[string]func(context.Context, slog.Record){
		"baseline": func(ctx context.Context, r slog.Record) { baseHandler.Handle(ctx, r) },
		"decision": func(ctx context.Context, r slog.Record) {
			var id []byte
			if span := trace.SpanContextFromContext(ctx); span.HasTraceID() {
				t := span.TraceID()
				id = t[:]
			}
			lone.Decide(logsift.Record{Service: "bench", Body: r.Message, TimeMs: r.Time.UnixMilli(), SeverityNumber: int(r.Level) + 9, SeverityText: r.Level.String(), TraceID: id})
		},
	}
	sdkCount := &counting{Handler: sdkBridge}
	handler := logsift.NewHandler(sdkCount, sampler, "bench")
	arms["logsift"] = func(ctx context.Context, r slog.Record) { handler.Handle(ctx, r) }
	t0 := time.Now()
	step := time.Duration(float64(time.Second) / *rate)
	timings := map[string][]int64{}
	next := map[string]int{}
	order := []string{"baseline", "logsift", "decision"}
	for round := range *rounds {
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, arm := range order {
			for range *perRound {
				n := next[arm]
				next[arm]++
				i := n % len(calls)
				c := calls[i]
				at := t0.Add(time.Duration(n) * step)
				record := slog.NewRecord(at, levels[c.S], c.B, 0)
				if n%1000 == 999 {
					sampler.Windows(at.UnixMilli(), false)
					lone.Windows(at.UnixMilli(), false)
				}
				start := time.Now()
				arms[arm](contexts[i], record)
				timings[arm] = append(timings[arm], time.Since(start).Nanoseconds())
			}
		}
	}
	baseProvider.Shutdown(context.Background())
	sdkProvider.Shutdown(context.Background())

	// Memory: distinct templates at 1,000 a second of record time, windows taken as the reporter takes them.
	bodies := readLines(*templatesFile)
	before := heap()
	fresh := logsift.NewSampler(logsift.SamplerOptions{})
	start := time.Now().UnixMilli()
	feed := func(from, to int) {
		for k := from; k < to; k++ {
			now := start + int64(k)
			fresh.Decide(logsift.Record{Service: "bench", Body: bodies[k], TimeMs: now, SeverityNumber: 9})
			if k%1000 == 999 {
				fresh.Windows(now, false)
			}
		}
	}
	heaps := map[string]uint64{}
	for fed, at := 0, 10_000; fed < len(bodies); fed, at = at, min(len(bodies), at*5) {
		feed(fed, at)
		heaps[fmt.Sprintf("%dk", at/1000)] = heap() - before
	}
	runtime.KeepAlive(fresh)

	out := map[string]any{}
	for arm, ns := range timings {
		out[arm] = summarise(ns)
	}
	out["calls_per_arm"] = *rounds * *perRound
	out["kept_share"] = float64(sdkCount.records) / float64(*rounds**perRound)
	out["record_rate"] = *rate
	out["heap_bytes_after_templates"] = heaps
	out["go"] = runtime.Version()
	json.NewEncoder(os.Stdout).Encode(out)
}
