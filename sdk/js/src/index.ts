// @logsift/sdk: sampling at the source that agrees with the logsift daemon (same pattern ids, same decisions
// for the same trace, same counts). Everything here runs in Node and in browsers; the pino and winston
// transports and the file cache are separate entry points (@logsift/sdk/pino, /winston, /node).
export { configure, DEFAULT_ENDPOINT, type ConfigureOptions, type Logsift } from './configure.js';
export { SourceSampler, type SourceDecision, type SourceRecord, type SourceSamplerOptions } from './source_sampler.js';
export { LogsiftLogRecordProcessor, PATTERN_ATTRIBUTE } from './processor.js';
export { PolicyFollower, type FollowerOptions, type KnownPolicy, type PolicyCache } from './policy_follower.js';
export { StatsReporter, type ReporterOptions } from './stats_reporter.js';
