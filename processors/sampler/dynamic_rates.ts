// Dynamic mode: share a per-window budget across patterns with log-weighted fairness (Honeycomb Refinery's
// dynamic samplers weigh keys by log10 of their count). Patterns seen about once a window are kept whole;
// the rest get a share of what is left in proportion to log10(count), so the loudest patterns give up most.
// Shares a pattern cannot use (it would keep more than it has) go back to the others.
export function dynamicKeep(counts: ReadonlyMap<string, number>, goal: number, floor: number): Map<string, number> {
  const keep = new Map<string, number>();
  const total = [...counts.values()].reduce((n, c) => n + c, 0);
  if (total <= goal) {
    for (const key of counts.keys()) keep.set(key, 1);
    return keep;
  }
  let remaining = goal;
  let open = [...counts.entries()].filter(([key, count]) => {
    if (count >= 2) return true;
    keep.set(key, 1);
    remaining -= count;
    return false;
  });
  // Water-filling: a pattern whose share covers all it has is kept whole and leaves the rest to the others.
  const shareOf = (count: number, weight: number) => (remaining > 0 && weight > 0 ? (remaining * Math.log10(count)) / weight : 0);
  for (;;) {
    const weight = open.reduce((n, [, c]) => n + Math.log10(c), 0);
    const whole = open.filter(([, count]) => shareOf(count, weight) >= count);
    if (whole.length === 0) break;
    for (const [key, count] of whole) {
      keep.set(key, 1);
      remaining -= count;
    }
    open = open.filter(([key]) => !keep.has(key));
  }
  const weight = open.reduce((n, [, c]) => n + Math.log10(c), 0);
  for (const [key, count] of open) keep.set(key, Math.max(floor, Math.min(1, shareOf(count, weight) / count)));
  return keep;
}
