// A policy received from the daemon, checked before it is put in force: the shape the decision reads, so a
// garbled answer is refused here instead of failing later inside an application's log call. (The daemon
// validated it against its full schema already; this is the SDK's own guard, kept small for browsers.)


const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isProbability = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
const isRate = (v: unknown) => v === null || (typeof v === 'number' && v > 0 && Number.isFinite(v));

/** Why `value` cannot be put in force for `service`, or undefined when it can. */
export function policyProblem(value: unknown, service: string): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  const p = value;
  if (p.service !== service && p.service !== '*') return `it is for service ${String(p.service)}, not ${service}`;
  if (p.mode !== 'static' && p.mode !== 'dynamic') return 'mode is neither static nor dynamic';
  for (const key of ['severity_keep', 'pattern_keep'] as const) {
    if (!isObject(p[key]) || !Object.values(p[key]).every(isProbability)) return `${key} must map names to probabilities`;
  }
  const budget = p.budget;
  if (!isObject(budget) || !isRate(budget.records_per_second) || !isRate(budget.bytes_per_second) || !(budget.keep_fraction === null || (isProbability(budget.keep_fraction) && (budget.keep_fraction as number) > 0))) return 'budget is malformed';
  if (p.mode === 'dynamic' && budget.records_per_second === null && budget.bytes_per_second === null && budget.keep_fraction === null) return 'dynamic mode needs a budget';
  if (!Number.isInteger(p.first_k_per_window) || (p.first_k_per_window as number) < 0) return 'first_k_per_window must be a whole number';
  if (!Array.isArray(p.keep_rules)) return 'keep_rules must be a list';
  for (const rule of p.keep_rules) {
    if (!isObject(rule) || typeof rule.attribute !== 'string') return 'a keep rule is malformed';
    if (rule.op === 'matches') {
      try {
        new RegExp(String(rule.value));
      } catch {
        return `keep rule on ${rule.attribute}: not a regular expression`;
      }
    }
  }
  if (!isObject(p.anomaly_boost)) return 'anomaly_boost is missing';
  return undefined;
}

