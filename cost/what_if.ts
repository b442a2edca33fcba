// A what-if of `logsift analyze`: the same traffic replayed under another policy, measured as the config's
// own policy is — kept and lost, in records, bytes and money — so choices sit side by side.
import type { ServiceAnalysis } from './analysis.js';
import type { Policy } from '../policy/policy.js';

/** The figures a what-if shows of each service (the rest of an analysis is the traffic's, not the policy's). */
const FIELDS = [
  'service',
  'records_seen',
  'records_kept',
  'bytes_kept',
  'reduction',
  'errors_seen',
  'errors_kept',
  'pattern_windows',
  'pattern_windows_kept',
  'incident_records',
  'incident_records_kept',
  'boosted',
  'cost_span',
] as const satisfies ReadonlyArray<keyof ServiceAnalysis>;

export type WhatIfService = Pick<ServiceAnalysis, (typeof FIELDS)[number]>;

export interface WhatIf {
  /** `config`, `tuner`, or the policy file's path. */
  name: string;
  label: string;
  notes: string[];
  /** Each service's policy as replayed. */
  policies: Policy[];
  services: WhatIfService[];
}

export function whatIf(name: string, label: string, notes: string[], policies: Policy[], analyses: ServiceAnalysis[]): WhatIf {
  return { name, label, notes, policies, services: analyses.map((s) => Object.fromEntries(FIELDS.map((f) => [f, s[f]])) as WhatIfService) };
}
