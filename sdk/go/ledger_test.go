package logsift

import (
	"fmt"
	"testing"
)

// As the daemon's ledger test: patterns silent for idleWindows windows are forgotten once their rows are out,
// so what the ledger holds follows the patterns in use, not every one ever seen.
func TestLedgerForgetsIdlePatternsAfterTheirRowsAreOut(t *testing.T) {
	const w = int64(60_000)
	l := newLedger(w)
	counted := 0
	for win := int64(0); win < 100; win++ {
		for i := int64(0); i < 10; i++ {
			l.note(l.entry("api", fmt.Sprintf("once-%d-%d", win, i), win*w+i), 10, false, false, 2)
		}
		l.note(l.entry("api", "steady", win*w+20), 10, true, false, 2)
		l.closeEnded((win + 1) * w)
		for _, row := range l.drain(false) {
			counted += row.Seen
		}
		l.forgetIdle((win + 1) * w)
		if held, _ := l.rates("api", (win+1)*w, 1000); len(held) > 10*idleWindows+1 {
			t.Fatalf("window %d: %d entries held", win, len(held))
		}
	}
	if counted != 1100 {
		t.Errorf("every record counted in a row before its pattern went: %d", counted)
	}
	_, rates := l.rates("api", 100*w, 1000)
	if _, ok := rates["steady"]; !ok {
		t.Error("the steady pattern is held")
	}
	if _, ok := rates["once-0-0"]; ok {
		t.Error("a long-silent pattern is forgotten")
	}
	if _, ok := rates[fmt.Sprintf("once-%d-0", 100-idleWindows)]; !ok {
		t.Error("a pattern silent for fewer windows is held")
	}
}

func TestLedgerHoldsAtMostItsCapClosingTheStalestFirst(t *testing.T) {
	const w = int64(60_000)
	l := newLedger(w)
	l.maxEntries = 100
	for i := int64(0); i < 1000; i++ {
		l.note(l.entry("api", fmt.Sprintf("flood-%d", i), i), 10, false, false, 2)
	}
	for i := int64(1000); i < 1500; i++ {
		l.note(l.entry("api", fmt.Sprintf("flood-%d", i), w+i), 10, false, false, 2)
		if i%20 == 0 {
			l.note(l.entry("api", "steady", w+i), 10, true, false, 2)
		}
	}
	_, held := l.rates("api", w+1500, 1000)
	if _, ok := held["steady"]; len(held) > 100 || !ok {
		t.Fatalf("%d entries held, steady among them: %v", len(held), ok)
	}
	total, steady := 0, 0
	for _, row := range l.drain(true) {
		total += row.Seen
		if row.Pattern == "steady" {
			steady += row.Seen
		}
	}
	if total != 1525 || steady != 25 {
		t.Errorf("every record in a row: %d (steady %d)", total, steady)
	}
}
