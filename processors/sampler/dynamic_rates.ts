// Dynamic mode: share a per-window budget across patterns with log-weighted fairness (Honeycomb Refinery's
// dynamic samplers weigh keys by log10 of their count). Patterns seen about once a window are kept whole;
// the rest get a share of what is left in proportion to log10(count), so the loudest patterns give up most.
// Shares a pattern cannot use (it would keep more than it has) go back to the others. A budget in bytes
// shares the same way, with each pattern's share measured in its bytes instead of its records.

/** What one pattern would send in a window if nothing were dropped. */
export interface PatternLoad {
  /** Records a window (the fairness weight is log10 of this). */
  count: number;
  /** The same records in the budget's unit: records again, or bytes. */
  cost: number;
}

export function dynamicKeep(loads: ReadonlyMap<string, PatternLoad>, goal: number, floor: number): Map<string, number> {
  const keep = new Map<string, number>();
  const total = [...loads.values()].reduce((n, l) => n + l.cost, 0);
  if (total <= goal) {
    for (const key of loads.keys()) keep.set(key, 1);
    return keep;
  }
  let remaining = goal;
  let open = [...loads.entries()].filter(([key, load]) => {
    if (load.count >= 2) return true;
    keep.set(key, 1);
    remaining -= load.cost;
    return false;
  });
  // Water-filling: a pattern whose share covers all it has is kept whole and leaves the rest to the others.
  const shareOf = (load: PatternLoad, weight: number) => (remaining > 0 && weight > 0 ? (remaining * Math.log10(load.count)) / weight : 0);
  for (;;) {
    const weight = open.reduce((n, [, l]) => n + Math.log10(l.count), 0);
    const whole = open.filter(([, load]) => shareOf(load, weight) >= load.cost);
    if (whole.length === 0) break;
    for (const [key, load] of whole) {
      keep.set(key, 1);
      remaining -= load.cost;
    }
    open = open.filter(([key]) => !keep.has(key));
  }
  const weight = open.reduce((n, [, l]) => n + Math.log10(l.count), 0);
  for (const [key, load] of open) keep.set(key, Math.max(floor, Math.min(1, shareOf(load, weight) / load.cost)));
  return keep;
}
