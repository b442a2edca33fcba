package logsift

// The service's policy, followed from logsift the way its sidecars follow a gateway: a long-poll
// (`GET /api/v1/policies/{service}?wait=` with the ETag held), each policy checked before it is put in force
// between two records, the outcome reported (`POST .../status`), and the last one kept in a file for the next
// start. A daemon that is down, slow or answering garbage leaves the policy in force as it was; it is asked
// again after a backoff. Runs on its own goroutine; never panics into the application.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	pollGrace     = 15 * time.Second
	noPolicyPause = 5 * time.Second
	retryInitial  = time.Second
	retryMax      = time.Minute
)

type knownPolicy struct {
	Policy json.RawMessage `json:"policy"`
	ETag   string          `json:"etag"`
}

type follower struct {
	endpoint, service, instance string
	headers                     map[string]string
	wait                        int
	cacheFile                   string
	apply                       func(Policy)
	problem                     func(string)
	client                      *http.Client
	etag                        string
}

func (f *follower) restore() {
	if f.cacheFile == "" {
		return
	}
	data, err := os.ReadFile(f.cacheFile)
	if err != nil {
		return
	}
	var known knownPolicy
	if json.Unmarshal(data, &known) != nil || known.ETag == "" {
		return
	}
	if p, err := ParsePolicy(known.Policy, f.service); err == nil {
		f.apply(p)
		f.etag = known.ETag
	}
}

func (f *follower) save(raw []byte, etag string) {
	if f.cacheFile == "" {
		return
	}
	data, _ := json.Marshal(knownPolicy{Policy: raw, ETag: etag})
	temporary := fmt.Sprintf("%s.%d.tmp", f.cacheFile, os.Getpid())
	if err := os.MkdirAll(filepath.Dir(f.cacheFile), 0o755); err == nil {
		if err = os.WriteFile(temporary, data, 0o644); err == nil {
			err = os.Rename(temporary, f.cacheFile)
		}
		if err == nil {
			return
		}
		f.problem("the policy could not be cached: " + err.Error())
	}
}

func (f *follower) run(ctx context.Context) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		var pause time.Duration
		switch f.poll(ctx) {
		case "again":
			backoff = 0
		case "none":
			pause = noPolicyPause
		default:
			if backoff == 0 {
				backoff = retryInitial
			} else {
				backoff = min(retryMax, backoff*2)
			}
			pause = time.Duration(float64(backoff) * (0.9 + 0.2*rand.Float64()))
		}
		if pause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
		}
	}
}

func (f *follower) poll(ctx context.Context) (outcome string) {
	defer func() {
		if r := recover(); r != nil {
			f.problem(fmt.Sprintf("policy from %s: %v", f.endpoint, r))
			outcome = "retry"
		}
	}()
	// A daemon that holds the poll past its wait (a half-open connection) is given up on, and asked again.
	polling, cancel := context.WithTimeout(ctx, time.Duration(f.wait)*time.Second+pollGrace)
	defer cancel()
	request, err := http.NewRequestWithContext(polling, http.MethodGet, fmt.Sprintf("%s/api/v1/policies/%s?wait=%ds", f.endpoint, url.PathEscape(f.service), f.wait), nil)
	if err != nil {
		f.problem(err.Error())
		return "retry"
	}
	for k, v := range f.headers {
		request.Header.Set(k, v)
	}
	if f.etag != "" {
		request.Header.Set("If-None-Match", f.etag)
	}
	response, err := f.client.Do(request)
	if err != nil {
		if ctx.Err() == nil {
			f.problem(fmt.Sprintf("policy from %s: %v", f.endpoint, err))
		}
		return "retry"
	}
	defer response.Body.Close()
	body, err := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	switch {
	case response.StatusCode == http.StatusNotModified:
		return "again"
	case response.StatusCode == http.StatusNotFound:
		return "none"
	case response.StatusCode != http.StatusOK || err != nil:
		f.problem(fmt.Sprintf("policy from %s: the daemon answered %d", f.endpoint, response.StatusCode))
		return "retry"
	}
	etag := response.Header.Get("ETag")
	policy, perr := ParsePolicy(body, f.service)
	if perr == nil && etag == "" {
		perr = fmt.Errorf("the answer has no ETag")
	}
	if perr != nil {
		f.report(ctx, strings.Trim(etag, `"`), "failed", perr.Error())
		f.problem("refused a policy: " + perr.Error())
		return "retry"
	}
	f.apply(policy)
	f.etag = etag
	f.save(body, etag)
	f.report(ctx, strings.Trim(etag, `"`), "applied", "")
	return "again"
}

func (f *follower) report(ctx context.Context, hash, status, problem string) {
	if hash == "" {
		hash = "none"
	}
	report := map[string]string{"instance": f.instance, "hash": hash, "status": status}
	if problem != "" {
		report["error"] = problem
	}
	data, _ := json.Marshal(report)
	ctx, cancel := context.WithTimeout(ctx, pollGrace)
	defer cancel()
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/policies/%s/status", f.endpoint, url.PathEscape(f.service)), bytes.NewReader(data))
	if err != nil {
		return
	}
	request.Header.Set("Content-Type", "application/json")
	for k, v := range f.headers {
		request.Header.Set(k, v)
	}
	response, err := f.client.Do(request)
	if err != nil {
		f.problem("could not report the policy's status: " + err.Error())
		return
	}
	io.Copy(io.Discard, response.Body)
	response.Body.Close()
}
