package logsift

// What the source dropped, told to logsift: every completed window of the sampler's ledger goes to
// `POST /api/v1/patterns/stats` (the report a sidecar sends its gateway) with the templates of patterns not
// yet sent, so the daemon's ledger plus the reported drops is what the application logged. While the daemon
// is away windows wait in a bounded backlog (the oldest dropped past it, counted); a batch that got no answer
// is sent again with its id, so it is counted once.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

const (
	rowsPerReport      = 2000
	templatesPerReport = 500
	templatesKept      = 20_000
	requestTimeout     = 15 * time.Second
	maxBacklog         = 20_000
)

type reportRow struct {
	Service        string         `json:"service"`
	PatternID      string         `json:"pattern_id"`
	WindowStart    int64          `json:"window_start"`
	Seen           int            `json:"seen"`
	Kept           int            `json:"kept"`
	Boosted        int            `json:"boosted"`
	BytesSeen      int            `json:"bytes_seen"`
	BytesKept      int            `json:"bytes_kept"`
	SeenBySeverity map[string]int `json:"seen_by_severity"`
}

type reportTemplate struct {
	Service   string `json:"service"`
	PatternID string `json:"pattern_id"`
	Template  string `json:"template"`
}

type statsReport struct {
	Instance      string           `json:"instance"`
	BatchID       string           `json:"batch_id"`
	WindowSeconds float64          `json:"window_seconds"`
	Rows          []reportRow      `json:"rows"`
	Templates     []reportTemplate `json:"templates"`
}

type reporter struct {
	endpoint, instance string
	headers            map[string]string
	sampler            *Sampler
	client             *http.Client
	problem            func(string)
	mu                 sync.Mutex
	backlog            []reportRow
	pending            *statsReport
	sentTemplates      map[string]bool
	// Sent and Dropped count windows the daemon took, and windows that could not be reported.
	Sent, Dropped int
}

func batchID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (r *reporter) run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			r.flush(ctx, false)
		}
	}
}

// flush takes the completed windows (every window, `every`) and sends what waits, within ctx.
func (r *reporter) flush(ctx context.Context, every bool) {
	if !r.lock(ctx) {
		r.problem("pattern report: the daemon is too slow; windows not reported")
		return
	}
	defer r.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			r.problem(fmt.Sprintf("pattern report: %v", p))
		}
	}()
	for _, w := range r.sampler.Windows(time.Now().UnixMilli(), every) {
		bySeverity := map[string]int{}
		for i, n := range w.SeenByClass {
			if n > 0 {
				bySeverity[severityClasses[i]] = n
			}
		}
		r.backlog = append(r.backlog, reportRow{w.Service, w.Pattern, w.WindowStart, w.Seen, w.Kept, 0, w.BytesSeen, w.BytesKept, bySeverity})
	}
	if over := len(r.backlog) - maxBacklog; over > 0 {
		r.backlog = r.backlog[over:]
		r.Dropped += over
		r.problem(fmt.Sprintf("%d pattern windows could not be reported (the daemon was away too long)", over))
	}
	for r.pending != nil || len(r.backlog) > 0 {
		if r.pending == nil {
			r.pending = r.next()
		}
		switch r.send(ctx, r.pending) {
		case "retry":
			return
		case "taken":
			r.Sent += len(r.pending.Rows)
		default:
			r.Dropped += len(r.pending.Rows)
		}
		r.pending = nil
	}
}

// lock takes the mutex unless ctx ends first (a report in flight on a slow daemon holds it).
func (r *reporter) lock(ctx context.Context) bool {
	for {
		if r.mu.TryLock() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (r *reporter) next() *statsReport {
	n := min(rowsPerReport, len(r.backlog))
	rows := append([]reportRow(nil), r.backlog[:n]...)
	r.backlog = r.backlog[n:]
	templates := []reportTemplate{}
	for _, row := range rows {
		key := row.Service + "\x00" + row.PatternID
		if len(templates) >= templatesPerReport || r.sentTemplates[key] {
			continue
		}
		if t, ok := r.sampler.TemplateOf(row.Service, row.PatternID); ok {
			if len(t) > 1000 {
				t = t[:1000]
			}
			templates = append(templates, reportTemplate{row.Service, row.PatternID, t})
		}
	}
	return &statsReport{Instance: r.instance, BatchID: batchID(), WindowSeconds: r.sampler.WindowSeconds(), Rows: rows, Templates: templates}
}

func (r *reporter) send(ctx context.Context, report *statsReport) string {
	data, _ := json.Marshal(report)
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint+"/api/v1/patterns/stats", bytes.NewReader(data))
	if err != nil {
		r.problem(err.Error())
		return "retry"
	}
	request.Header.Set("Content-Type", "application/json")
	for k, v := range r.headers {
		request.Header.Set(k, v)
	}
	response, err := r.client.Do(request)
	if err != nil {
		r.problem(fmt.Sprintf("pattern report to %s: %v", r.endpoint, err))
		return "retry"
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	if response.StatusCode >= 400 && response.StatusCode < 500 && response.StatusCode != 408 && response.StatusCode != 429 {
		r.problem(fmt.Sprintf("the daemon refused a pattern report (%d): %.300s", response.StatusCode, body))
		return "refused"
	}
	if response.StatusCode >= 300 {
		r.problem(fmt.Sprintf("pattern report to %s: the daemon answered %d", r.endpoint, response.StatusCode))
		return "retry"
	}
	if len(r.sentTemplates) > templatesKept {
		r.sentTemplates = map[string]bool{}
	}
	for _, t := range report.Templates {
		r.sentTemplates[t.Service+"\x00"+t.PatternID] = true
	}
	var answer struct {
		Missing []struct {
			Service   string `json:"service"`
			PatternID string `json:"pattern_id"`
		} `json:"missing_templates"`
	}
	if json.Unmarshal(body, &answer) != nil {
		r.problem("the daemon's answer to a pattern report was not JSON")
	}
	for _, m := range answer.Missing {
		delete(r.sentTemplates, m.Service+"\x00"+m.PatternID)
	}
	return "taken"
}
