// What a replay of a candidate policy over the sampler's tape reports: what it would cost and what it would
// keep of what matters. The sampler produces it (processors/sampler/replay.ts, offered through the sampler
// port in traffic_tape.ts); the tuner's gate judges it (tuner/replay_gate.ts).
export interface ReplayReport {
  /** Records judged: those after the replay's warm-up (its first two window boundaries). */
  records: number;
  kept: number;
  keep_fraction: number;
  /** The same outside anomalies' boosts (records the live sampler decided under one): the policy's spending, what the cost target is judged on. */
  policy_keep_fraction: number;
  bytes: number;
  bytes_kept: number;
  bytes_keep_fraction: number;
  error_records: number;
  error_retention: number;
  /** (pattern, window) pairs with records, and the share of them with at least one kept. */
  pattern_windows: number;
  coverage: number;
  incident_records: number;
  incident_retention: number;
  duration_ms: number;
}
