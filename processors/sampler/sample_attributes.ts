// The attributes the sampler puts on what it keeps, and their names for everyone who reads them (tests,
// benchmarks, the demo): how many records a kept one stands for, with what probability it was kept, and why.
export const SAMPLE_RATE_ATTRIBUTE = 'logsift.sample_rate';
export const SAMPLE_REASON_ATTRIBUTE = 'logsift.sample_reason';
export const SAMPLE_COUNT_ATTRIBUTE = 'logsift.sample_count';

/** Why a record left the sampler: the decision's reasons, a retro flush, or a dry run's would-be drop. */
export type SampleReason = 'severity' | 'rule' | 'first' | 'boost' | 'sampled' | 'retro' | 'dry_run_drop';
