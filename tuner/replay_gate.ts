// The replay gate: judges what a candidate policy's replay over the sampler's tape reports (the sampler
// replays itself: SamplerTraffic.replay). It accepts a candidate that meets the cost target (or comes closer
// to it than the policy in force) without losing an ERROR+ record, a pattern's window, or more of an
// incident than allowed.
import type { ReplayReport } from '../policy/replay_report.js';

export interface GateVerdict {
  accepted: boolean;
  reason: string;
}

/** Accepts a candidate that keeps what matters and meets the cost target, or beats the current one's cost. */
export function judgeReplay(candidate: ReplayReport, current: ReplayReport | undefined, target: { keep_fraction: number; bytes_keep_fraction: number | null }, minIncidentRetention: number): GateVerdict {
  if (candidate.records === 0) return { accepted: false, reason: 'no recent traffic to replay the candidate over' };
  if (candidate.error_retention < 1) return { accepted: false, reason: `replay kept ${candidate.error_retention} of ERROR+ records (must be 1)` };
  if (candidate.coverage < 1) return { accepted: false, reason: `replay left ${candidate.pattern_windows - Math.round(candidate.coverage * candidate.pattern_windows)} pattern windows without a record` };
  const incidentFloor = Math.min(minIncidentRetention, current?.incident_retention ?? 1);
  if (candidate.incident_retention < incidentFloor) return { accepted: false, reason: `replay kept ${candidate.incident_retention} of incident records (at least ${incidentFloor})` };
  const meetsRecords = candidate.policy_keep_fraction <= target.keep_fraction;
  const meetsBytes = target.bytes_keep_fraction === null || candidate.bytes_keep_fraction <= target.bytes_keep_fraction;
  if (meetsRecords && meetsBytes) return { accepted: true, reason: `meets the cost target (keeps ${candidate.policy_keep_fraction} of records)` };
  if (current && candidate.policy_keep_fraction < current.policy_keep_fraction && candidate.bytes_keep_fraction <= current.bytes_keep_fraction) {
    return { accepted: true, reason: `closer to the cost target than the policy in force (${candidate.policy_keep_fraction} < ${current.policy_keep_fraction} of records kept)` };
  }
  return { accepted: false, reason: `misses the cost target: keeps ${candidate.policy_keep_fraction} of records (target ${target.keep_fraction})${meetsBytes ? '' : ` and ${candidate.bytes_keep_fraction} of bytes (target ${target.bytes_keep_fraction})`}` };
}
