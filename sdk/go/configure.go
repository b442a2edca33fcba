package logsift

// One call to sample at the source: an slog.Logger for the service whose records go through the sampling
// Handler to the OpenTelemetry bridge and the app's OTLP exporter (OTLP over HTTP by default; the
// OTEL_EXPORTER_OTLP_* settings apply), the policy followed from logsift's control API, and the windows
// reported back to it.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
)

// DefaultEndpoint is logsift's control API (its telemetry server) on this host.
const DefaultEndpoint = "http://127.0.0.1:13133"

// Options for Configure; only Service is required.
type Options struct {
	Service string
	// Endpoint is logsift's control API; DefaultEndpoint when empty.
	Endpoint string
	// Exporter takes the kept records; OTLP over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (else localhost:4318) when nil.
	Exporter sdklog.Exporter
	// Headers go to the control API (a bearer token, when it asks for one).
	Headers map[string]string
	// Instance is this process's name in logsift's fleet view.
	Instance string
	// PolicyCache is a file keeping the last policy for the next start; none when empty.
	PolicyCache string
	// WaitSeconds is the long-poll's wait (30 when zero).
	WaitSeconds int
	// ReportInterval is how often completed windows are reported (10 s when zero).
	ReportInterval time.Duration
	Sampler        SamplerOptions
	// OnError is told each problem (the SDK never panics or returns them into the application).
	OnError func(problem string)
	// OnPolicy is told each policy put in force (from logsift, or the cache at start).
	OnPolicy func(Policy)
}

// Logsift is what Configure set up.
type Logsift struct {
	Logger   *slog.Logger
	Handler  *Handler
	Sampler  *Sampler
	Provider *sdklog.LoggerProvider
	reporter *reporter
	stop     context.CancelFunc
	done     sync.WaitGroup
}

// Configure sets up sampling at the source for one service. It fails only on options it cannot use.
func Configure(ctx context.Context, options Options) (*Logsift, error) {
	if options.Service == "" {
		return nil, errors.New("logsift: Options.Service is required")
	}
	endpoint := strings.TrimRight(options.Endpoint, "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	instance := options.Instance
	if instance == "" {
		suffix := make([]byte, 4)
		rand.Read(suffix)
		instance = options.Service + "-" + hex.EncodeToString(suffix)
	}
	exporter := options.Exporter
	if exporter == nil {
		var err error
		if exporter, err = otlploghttp.New(ctx); err != nil {
			return nil, err
		}
	}
	problem := func(text string) {
		if options.OnError == nil {
			return
		}
		defer func() { recover() }() // the application's callback: its failure is not ours to raise
		options.OnError(text)
	}
	own, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", options.Service)))
	if err != nil {
		return nil, err
	}
	provider := sdklog.NewLoggerProvider(sdklog.WithResource(own), sdklog.WithProcessor(sdklog.NewBatchProcessor(exporter)))
	sampler := NewSampler(options.Sampler)
	handler := NewHandler(otelslog.NewHandler("logsift", otelslog.WithLoggerProvider(provider)), sampler, options.Service)
	client := &http.Client{}
	wait := options.WaitSeconds
	if wait <= 0 {
		wait = 30
	}
	f := &follower{endpoint: endpoint, service: options.Service, instance: instance, headers: options.Headers, wait: wait, cacheFile: options.PolicyCache, problem: problem, client: client,
		apply: func(p Policy) {
			sampler.SetPolicy(p)
			if options.OnPolicy != nil {
				defer func() { recover() }()
				options.OnPolicy(p)
			}
		}}
	r := &reporter{endpoint: endpoint, instance: instance, headers: options.Headers, sampler: sampler, client: client, problem: problem, sentTemplates: map[string]bool{}}
	interval := options.ReportInterval
	if interval <= 0 {
		interval = 10 * time.Second
	}
	f.restore()
	running, stop := context.WithCancel(context.Background())
	l := &Logsift{Logger: slog.New(handler), Handler: handler, Sampler: sampler, Provider: provider, reporter: r, stop: stop}
	l.done.Add(2)
	go func() { defer l.done.Done(); f.run(running) }()
	go func() { defer l.done.Done(); r.run(running, interval) }()
	return l, nil
}

// Shutdown reports every window, flushes the exporter and stops following, within ctx.
func (l *Logsift) Shutdown(ctx context.Context) error {
	l.stop()
	l.done.Wait()
	l.reporter.flush(ctx, true)
	return l.Provider.Shutdown(ctx)
}

// Reported counts the pattern windows the daemon took, and those that could not be reported.
func (l *Logsift) Reported() (sent, dropped int) {
	l.reporter.mu.Lock()
	defer l.reporter.mu.Unlock()
	return l.reporter.Sent, l.reporter.Dropped
}
