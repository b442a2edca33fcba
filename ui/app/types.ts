// The shapes of the API answers the pages read (the server's modules are the source of truth; these name the
// fields the pages use; where a server module imports nothing, its types are used as they are).
import type { ReplayReport } from '../../policy/replay_report.js';

export type { ReplayReport };
export interface Overview {
  now: number;
  minutes: number;
  bucket_ms: number;
  ledger: { t: number[]; seen: number[]; kept: number[]; dropped: number[]; boosted: number[]; bytes_seen: number[]; bytes_kept: number[] };
  totals: { records_seen: number; records_kept: number; records_dropped: number; records_boosted: number; bytes_seen: number; bytes_kept: number; errors_seen: number; errors_kept: number; reduction_records: number; reduction_bytes: number };
  money: { vendor: string; cost_without: number | null; cost_with: number | null; saved: number | null; caveats: string[] };
  live: {
    series: { t: number[]; accepted: number[]; kept: number[]; dropped: number[]; refused: number[]; exported: number[]; delivery_lost: number[] };
    totals: { accepted: number; kept: number; dropped: number; refused: number; exported: number; delivery_lost: number } | null;
    queue: number;
  };
  exporters: Array<{ exporter: string; sent: number; send_failed: number; retries: number; dead_lettered: number; lost: number; queue: number; status: 'ok' | 'retrying' | 'losing' }>;
  open_anomalies: number;
  services: number;
}

export interface PatternFigures {
  seen: number;
  kept: number;
  dropped: number;
  boosted: number;
  bytes_seen: number;
  bytes_kept: number;
  errors_seen: number;
  share: number;
  error_share: number;
  keep_rate: number;
  reasons: { error: number; boost: number; policy: number; dropped: number };
  cost_kept: number | null;
  cost_saved: number | null;
}

export interface PatternRow extends PatternFigures {
  service: string;
  id: string;
  template: string | null;
  first_seen: number | null;
  last_seen: number | null;
  spark: number[];
}

export interface PatternPage {
  total: number;
  hours: number;
  total_seen: number;
  patterns: PatternRow[];
}

export interface Line {
  at: number;
  severity: string;
  body: string;
  trace_id: string;
}

export interface PatternDetail extends PatternFigures {
  service: string;
  id: string;
  template: string | null;
  example: string | null;
  first_seen: number | null;
  last_seen: number | null;
  hours: number;
  history: { bucket_ms: number; t: number[]; seen: number[]; kept: number[]; baseline: Array<number | null> };
  anomalies: Array<{ id: string; kind: string; start: number; end: number | null; observed: number; expected: number; score: number }>;
  samples: { kept: Line[]; during_anomalies: Array<Line & { how: string }> };
  policy: { version: number; mode: string; rule: string; pattern_keep: number | null; first_k_per_window: number } | null;
}


export interface PolicyVersion {
  version: number;
  created_at: string;
  author: string;
  model: string | null;
  reasoning: string;
  cost_usd: number;
  replay: { candidate: ReplayReport; current: ReplayReport } | null;
  clamps: unknown[];
  policy: Record<string, unknown>;
}

export interface Alert {
  id: string;
  service: string;
  pattern_id: string | null;
  status: string;
  severity: string;
  opened_at: string | null;
  resolved_at: string | null;
  notifications: number;
  explanation: { headline?: string; impact?: string; causes?: Array<{ cause: string; confidence: number; evidence: string[] }>; next_steps?: string[]; status?: string } | null;
  findings: Array<{ id: string; kind: string; pattern_id: string | null; start: string | null; end: string | null; observed: number; expected: number; score: number; template: string | null; sample_lines: Line[]; link: string | null }>;
  changes_before: Array<{ key: string; from: string | null; to: string; at: string }>;
}

export interface Silence {
  id: string;
  matchers: Record<string, string>;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  state: string;
}
