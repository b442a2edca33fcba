package logsift

// Each pattern's window at the source: a port of the daemon's processors/sampler/ledger.ts (the parts a
// source needs): what was seen and kept per window, the records kept whatever the budget says, the drops no
// kept record stands for yet (per severity class), and EWMAs of each window's load for dynamic mode.

import (
	"math"
	"sort"
)

const rateAlpha = 0.5

// idleWindows: a pattern silent this many windows is forgotten (the daemon's IDLE_WINDOWS): its rates are then
// too small to move a share, and what the ledger holds follows the patterns in use, not every one ever seen.
const idleWindows = 10

// MaxEntriesPerService: patterns one service's ledger holds at most (the daemon's MAX_ENTRIES_PER_SERVICE);
// past it, the stalest tenth are closed (their rows out: every record still counted) and forgotten.
const MaxEntriesPerService = 50_000

type ledgerEntry struct {
	service, pattern                 string
	windowStart, since, last         int64
	seen, kept, bytesSeen, bytesKept int
	forced                           int
	rate, bytesRate, forcedRate      float64
	pending                          [7]int
	seenByClass                      [7]int
}

// Window is one pattern's completed window, as reported to the daemon.
type Window struct {
	Service, Pattern                 string
	WindowStart                      int64
	Seen, Kept, BytesSeen, BytesKept int
	SeenByClass                      [7]int
}

type patternRates struct{ records, bytes, forced float64 }

type ledger struct {
	windowMs   int64
	maxEntries int
	// Per service, the entries in the order their patterns first came (the daemon's Map order).
	entries map[string]*orderedEntries
	order   []string
	closed  []Window
}

type orderedEntries struct {
	keys  []string
	items map[string]*ledgerEntry
}

func newLedger(windowMs int64) *ledger {
	return &ledger{windowMs: windowMs, maxEntries: MaxEntriesPerService, entries: map[string]*orderedEntries{}}
}

func (l *ledger) windowStart(t int64) int64 {
	q := t / l.windowMs
	if t%l.windowMs != 0 && t < 0 {
		q--
	}
	return q * l.windowMs
}

func (l *ledger) entry(service, pattern string, t int64) *ledgerEntry {
	start := l.windowStart(t)
	byPattern, ok := l.entries[service]
	if !ok {
		byPattern = &orderedEntries{items: map[string]*ledgerEntry{}}
		l.entries[service] = byPattern
		l.order = append(l.order, service)
	}
	e, ok := byPattern.items[pattern]
	if !ok {
		if len(byPattern.items) >= l.maxEntries {
			l.shed(byPattern)
		}
		e = &ledgerEntry{service: service, pattern: pattern, windowStart: start, since: t, last: t}
		byPattern.items[pattern] = e
		byPattern.keys = append(byPattern.keys, pattern)
	} else if start > e.windowStart {
		windows := math.Round(float64(start-e.windowStart) / float64(l.windowMs))
		l.close(e)
		decay := math.Pow(1-rateAlpha, windows-1)
		first := e.rate == 0
		smooth := func(rate, value float64) float64 {
			if first {
				return value * decay
			}
			return (rate + rateAlpha*(value-rate)) * decay
		}
		e.rate = smooth(e.rate, float64(e.seen))
		e.bytesRate = smooth(e.bytesRate, float64(e.bytesSeen))
		e.forcedRate = smooth(e.forcedRate, float64(e.forced))
		e.windowStart = start
		e.since = start
		e.reset()
	}
	if t > e.last {
		e.last = t
	}
	return e
}

// shed closes and forgets the stalest tenth of a service's entries (latest record first, then first seen).
func (l *ledger) shed(byPattern *orderedEntries) {
	stalest := make([]*ledgerEntry, 0, len(byPattern.keys))
	for _, p := range byPattern.keys {
		stalest = append(stalest, byPattern.items[p])
	}
	sort.SliceStable(stalest, func(i, j int) bool { return stalest[i].last < stalest[j].last })
	for _, e := range stalest[:len(stalest)-int(float64(l.maxEntries)*0.9)] {
		l.close(e)
		delete(byPattern.items, e.pattern)
	}
	keys := byPattern.keys[:0]
	for _, p := range byPattern.keys {
		if _, held := byPattern.items[p]; held {
			keys = append(keys, p)
		}
	}
	clear(byPattern.keys[len(keys):])
	byPattern.keys = keys
}

func (e *ledgerEntry) reset() {
	e.seen, e.kept, e.bytesSeen, e.bytesKept, e.forced = 0, 0, 0, 0, 0
	e.seenByClass = [7]int{}
}

func (l *ledger) note(e *ledgerEntry, size int, kept, forced bool, class int) {
	e.seen++
	e.seenByClass[class]++
	e.bytesSeen += size
	if forced {
		e.forced++
	}
	if kept {
		e.kept++
		e.bytesKept += size
	}
}

func (l *ledger) close(e *ledgerEntry) {
	if e.seen == 0 {
		return
	}
	l.closed = append(l.closed, Window{e.service, e.pattern, e.windowStart, e.seen, e.kept, e.bytesSeen, e.bytesKept, e.seenByClass})
}

func (l *ledger) closeEnded(t int64) {
	current := l.windowStart(t)
	for _, service := range l.order {
		byPattern := l.entries[service]
		for _, p := range byPattern.keys {
			if e := byPattern.items[p]; e.windowStart < current && e.seen > 0 {
				l.entry(service, p, t)
			}
		}
	}
}

// forgetIdle forgets patterns silent for idleWindows windows (their rows are out; drops not yet carried go with them).
func (l *ledger) forgetIdle(t int64) {
	horizon := l.windowStart(t) - idleWindows*l.windowMs
	services := l.order[:0]
	for _, service := range l.order {
		byPattern := l.entries[service]
		keys := byPattern.keys[:0]
		for _, p := range byPattern.keys {
			if e := byPattern.items[p]; e.seen == 0 && e.windowStart <= horizon {
				delete(byPattern.items, p)
			} else {
				keys = append(keys, p)
			}
		}
		clear(byPattern.keys[len(keys):])
		byPattern.keys = keys
		if len(keys) == 0 {
			delete(l.entries, service)
		} else {
			services = append(services, service)
		}
	}
	clear(l.order[len(services):])
	l.order = services
}

func (l *ledger) drain(every bool) []Window {
	if every {
		for _, service := range l.order {
			byPattern := l.entries[service]
			for _, p := range byPattern.keys {
				e := byPattern.items[p]
				l.close(e)
				e.reset()
			}
		}
	}
	closed := l.closed
	l.closed = nil
	return closed
}

// rates gives each pattern's load of a service in the daemon's order, as parallel slices.
func (l *ledger) rates(service string, now, minimumSpanMs int64) ([]string, map[string]patternRates) {
	out := map[string]patternRates{}
	byPattern, ok := l.entries[service]
	if !ok {
		return nil, out
	}
	for _, p := range byPattern.keys {
		e := byPattern.items[p]
		scale := 1.0
		if !(e.rate > 0) {
			scale = float64(l.windowMs) / float64(min(l.windowMs, max(minimumSpanMs, now-e.since)))
		}
		out[p] = patternRates{math.Max(e.rate, float64(e.seen)*scale), math.Max(e.bytesRate, float64(e.bytesSeen)*scale), math.Max(e.forcedRate, float64(e.forced))}
	}
	return byPattern.keys, out
}
