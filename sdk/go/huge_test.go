package logsift

import (
	"strings"
	"testing"
	"time"
)

// A body far beyond any template (a stack dump, a payload logged whole) is decided like any other, once.
func TestHugeBodyIsDecided(t *testing.T) {
	s := NewSampler(SamplerOptions{})
	body := strings.Repeat("frame at com.example.Service.handle(Service.java:42) id=9f86d081884c7d65 ", 20_000)
	start := time.Now()
	d := s.Decide(Record{Service: "svc", Body: body, SeverityNumber: 9})
	if !d.Keep || d.PatternID == "" {
		t.Fatalf("the first of its pattern is kept: %+v", d.Reason)
	}
	t.Logf("%d bytes decided in %v", len(body), time.Since(start))
}
