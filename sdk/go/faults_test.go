package logsift

// The application never sees a panic or an error from the SDK: with the daemon down, hanging, or answering
// garbage, log calls go on (sampled under the policy in force, the default until one arrives), the problems
// go to the application's OnError, and Shutdown returns within its deadline.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// memoryExporter keeps what the SDK exported.
type memoryExporter struct {
	mu      sync.Mutex
	records int
}

func (m *memoryExporter) Export(_ context.Context, records []sdklog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records += len(records)
	return nil
}
func (m *memoryExporter) Shutdown(context.Context) error   { return nil }
func (m *memoryExporter) ForceFlush(context.Context) error { return nil }

type problems struct {
	mu   sync.Mutex
	told []string
	seen chan struct{}
	want string
}

func (p *problems) add(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.told = append(p.told, text)
	if p.want != "" && strings.Contains(text, p.want) {
		p.want = ""
		close(p.seen)
	}
}

func (p *problems) any(part string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.told {
		if strings.Contains(t, part) {
			return true
		}
	}
	return false
}

// logThrough logs 2000 records through the SDK (once a problem containing `first` was told, when given) and
// shuts it down with a 3 s deadline; it returns how many were exported.
func logThrough(t *testing.T, endpoint, first string) (int, *problems) {
	t.Helper()
	exporter := &memoryExporter{}
	told := &problems{seen: make(chan struct{}), want: first}
	sdk, err := Configure(context.Background(), Options{Service: "faulty", Endpoint: endpoint, Exporter: exporter, WaitSeconds: 1, ReportInterval: 50 * time.Millisecond, OnError: told.add})
	if err != nil {
		t.Fatal(err)
	}
	if first != "" {
		select {
		case <-told.seen:
		case <-time.After(10 * time.Second):
			t.Fatalf("no problem like %q was told: %v", first, told.told)
		}
	}
	// Records two minutes old, so windows complete while the app runs and a report is attempted before shutdown.
	start := time.Now().Add(-2 * time.Minute)
	for i := range 2000 {
		level := slog.LevelInfo
		if i%100 == 0 {
			level = slog.LevelError
		}
		record := slog.NewRecord(start.Add(time.Duration(i)*60*time.Millisecond), level, fmt.Sprintf("GET /api/items/%d 200 %dms", i, i%50), 0)
		if err := sdk.Handler.Handle(context.Background(), record); err != nil {
			t.Fatalf("a log call returned %v", err)
		}
	}
	deadline, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	began := time.Now()
	sdk.Shutdown(deadline)
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("Shutdown took %v past its deadline", took)
	}
	exporter.mu.Lock()
	defer exporter.mu.Unlock()
	return exporter.records, told
}

func TestDaemonDownLoggingGoesOnUnderTheDefaultPolicy(t *testing.T) {
	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	endpoint := "http://" + listener.Addr().String()
	listener.Close()
	kept, told := logThrough(t, endpoint, "")
	if kept < 20 || kept >= 2000 {
		t.Errorf("errors and a share of the rest kept: %d", kept)
	}
	if !told.any("pattern report") {
		t.Errorf("the unreachable daemon is told: %v", told.told)
	}
}

func TestDaemonHangingNoLogCallWaitsAndShutdownReturns(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer server.Close()
	defer close(release)
	kept, _ := logThrough(t, server.URL, "")
	if kept < 20 || kept >= 2000 {
		t.Errorf("kept %d", kept)
	}
}

func TestDaemonAnsweringGarbageThePolicyIsRefusedAndReported(t *testing.T) {
	var mu sync.Mutex
	var statuses []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/status"):
			mu.Lock()
			statuses = append(statuses, string(body))
			mu.Unlock()
			w.Write([]byte(`{}`))
		case strings.HasPrefix(r.URL.Path, "/api/v1/policies/"):
			w.Header().Set("ETag", `"x"`)
			w.Write([]byte(`{"service":"faulty","mode":"everything"}`))
		default:
			w.Write([]byte("not json at all"))
		}
	}))
	defer server.Close()
	kept, told := logThrough(t, server.URL, "refused a policy")
	if kept < 20 || kept >= 2000 {
		t.Errorf("kept %d", kept)
	}
	if !told.any("refused a policy: mode") || !told.any("not JSON") {
		t.Errorf("the refusal and the garbled report answer are told: %v", told.told)
	}
	mu.Lock()
	defer mu.Unlock()
	failed := false
	for _, s := range statuses {
		var status map[string]string
		failed = failed || (json.Unmarshal([]byte(s), &status) == nil && status["status"] == "failed")
	}
	if !failed {
		t.Errorf("the refusal is reported to the daemon: %v", statuses)
	}
}
