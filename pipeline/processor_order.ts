// A pipeline's processor order, checked at load from what each factory declares (ProcessorPlacement): what
// one needs must come before it, what one uses must not come after it, a processor that must be first is,
// and processors that window by time agree on which time (a record's own, or its arrival).
import type { ProcessorFactory } from './component.js';

export interface OrderProblem {
  path: string;
  message: string;
}

export interface PlacedProcessor {
  id: string;
  factory: ProcessorFactory | undefined;
  config: unknown;
}

export function checkProcessorOrder(processors: readonly PlacedProcessor[], all: readonly ProcessorFactory[], path: string): OrderProblem[] {
  const problems: OrderProblem[] = [];
  const providersOf = (what: string) => all.filter((f) => f.placement?.provides?.includes(what)).map((f) => f.type);
  const provided = new Set<string>();
  processors.forEach((p, i) => {
    const placement = p.factory?.placement;
    const at = `${path}[${i}]`;
    if (placement?.first && i > 0) problems.push({ path: at, message: `${p.id} must come first: it refuses data before any work is spent on it` });
    for (const need of placement?.requires ?? []) {
      if (!provided.has(need)) problems.push({ path: at, message: `${p.id} needs ${need} from a processor before it (${providersOf(need).join(' or ')})` });
    }
    for (const use of placement?.uses ?? []) {
      const later = processors.slice(i + 1).find((q) => q.factory?.placement?.provides?.includes(use));
      if (!provided.has(use) && later) problems.push({ path: at, message: `${p.id} uses ${use}, but ${later.id} comes after it: put ${later.id} before ${p.id}` });
    }
    for (const gives of placement?.provides ?? []) provided.add(gives);
  });
  const times = processors.flatMap((p) => {
    const time = (p.config as { time?: unknown } | null)?.time;
    return typeof time === 'string' ? [{ id: p.id, time }] : [];
  });
  if (new Set(times.map((t) => t.time)).size > 1) {
    problems.push({ path, message: `the processors that window by time must agree on which: ${times.map((t) => `${t.id} has time: ${t.time}`).join(', ')}` });
  }
  return problems;
}
