// A what-if of `logsift analyze`: the same traffic replayed under another policy, measured as the config's
// own policy is — kept and lost, in records, bytes and money — so choices sit side by side.
import type { ServiceAnalysis } from './analysis.js';
import type { Savings } from './billing.js';
import type { Policy } from '../policy/policy.js';

export interface WhatIfService {
  service: string;
  records_seen: number;
  records_kept: number;
  bytes_kept: number;
  reduction: number;
  errors_seen: number;
  errors_kept: number;
  pattern_windows: number;
  pattern_windows_kept: number;
  incident_records: number;
  incident_records_kept: number;
  boosted: { records: number; bytes: number };
  cost_span: Savings;
}

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
  return {
    name,
    label,
    notes,
    policies,
    services: analyses.map((s) => ({
      service: s.service,
      records_seen: s.records_seen,
      records_kept: s.records_kept,
      bytes_kept: s.bytes_kept,
      reduction: s.reduction,
      errors_seen: s.errors_seen,
      errors_kept: s.errors_kept,
      pattern_windows: s.pattern_windows,
      pattern_windows_kept: s.pattern_windows_kept,
      incident_records: s.incident_records,
      incident_records_kept: s.incident_records_kept,
      boosted: s.boosted,
      cost_span: s.cost_span,
    })),
  };
}
