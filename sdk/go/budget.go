package logsift

// Dynamic mode's budget shared over a service's patterns: a port of the daemon's dynamic_rates.ts and
// budget_shares.ts. Patterns seen about once a window are kept whole; the rest share what is left in
// proportion to log10 of their count (water-filling). Sums run in the daemon's order, so the floating point
// comes out the same.

import "math"

type load struct{ count, cost float64 }

type keyedLoads struct {
	keys  []string
	loads map[string]load
}

func dynamicKeep(in keyedLoads, goal, floor float64) map[string]float64 {
	keep := map[string]float64{}
	total := 0.0
	for _, k := range in.keys {
		total += in.loads[k].cost
	}
	if total <= goal {
		for _, k := range in.keys {
			keep[k] = 1
		}
		return keep
	}
	remaining := goal
	var open []string
	for _, k := range in.keys {
		if in.loads[k].count >= 2 {
			open = append(open, k)
		} else {
			keep[k] = 1
			remaining -= in.loads[k].cost
		}
	}
	shareOf := func(l load, weight float64) float64 {
		if remaining > 0 && weight > 0 {
			return (remaining * math.Log10(l.count)) / weight
		}
		return 0
	}
	weightOf := func() float64 {
		w := 0.0
		for _, k := range open {
			w += math.Log10(in.loads[k].count)
		}
		return w
	}
	for {
		weight := weightOf()
		var whole []string
		for _, k := range open {
			if shareOf(in.loads[k], weight) >= in.loads[k].cost {
				whole = append(whole, k)
			}
		}
		if len(whole) == 0 {
			break
		}
		for _, k := range whole {
			keep[k] = 1
			remaining -= in.loads[k].cost
		}
		rest := open[:0:0]
		for _, k := range open {
			if _, kept := keep[k]; !kept {
				rest = append(rest, k)
			}
		}
		open = rest
	}
	weight := weightOf()
	for _, k := range open {
		keep[k] = math.Max(floor, math.Min(1, shareOf(in.loads[k], weight)/in.loads[k].cost))
	}
	return keep
}

func shareBudget(budget Budget, keys []string, rates map[string]patternRates, pinned func(string) (float64, bool), windowSeconds, floor float64) map[string]float64 {
	records := keyedLoads{loads: map[string]load{}}
	sizes := keyedLoads{loads: map[string]load{}}
	tightest := map[string]float64{}
	seen, spentRecords, spentBytes := 0.0, 0.0, 0.0
	for _, k := range keys {
		r := rates[k]
		seen += r.records
		bytesPerRecord := 0.0
		if r.records > 0 {
			bytesPerRecord = r.bytes / r.records
		}
		open := math.Max(0, r.records-r.forced)
		pin, isPinned := pinned(k)
		spent := r.forced
		if isPinned {
			spent += open * pin
		}
		spentRecords += spent
		spentBytes += spent * bytesPerRecord
		if isPinned {
			continue
		}
		if open == 0 {
			tightest[k] = 1
			continue
		}
		records.keys = append(records.keys, k)
		records.loads[k] = load{open, open}
		sizes.keys = append(sizes.keys, k)
		sizes.loads[k] = load{open, open * bytesPerRecord}
	}
	apply := func(shares map[string]float64, order []string) {
		for _, k := range order {
			p := shares[k]
			if current, ok := tightest[k]; ok {
				tightest[k] = math.Min(p, current)
			} else {
				tightest[k] = math.Min(p, 1)
			}
		}
	}
	if budget.RecordsPerSecond != nil {
		apply(dynamicKeep(records, *budget.RecordsPerSecond*windowSeconds-spentRecords, floor), records.keys)
	}
	if budget.KeepFraction != nil {
		apply(dynamicKeep(records, *budget.KeepFraction*seen-spentRecords, floor), records.keys)
	}
	if budget.BytesPerSecond != nil {
		apply(dynamicKeep(sizes, *budget.BytesPerSecond*windowSeconds-spentBytes, floor), sizes.keys)
	}
	return tightest
}

type shares struct {
	keep       map[string]float64
	window     int64
	computedAt int64
}

func freshShares() *shares { return &shares{keep: map[string]float64{}, window: -1} }
