// The tuner against a real chain — signature → ratestats → anomaly → sampler — on a fake clock, with the
// LLM stand-in as its provider's server. Tests feed traffic, move time, and drive rounds whose HTTP runs on
// real loopback sockets while their timeouts and retry waits run on the fake clock.
import { Subject } from 'rxjs';
import { mergeDefaults } from '../../config/merge.js';
import type { LogBatch } from '../../pipeline/batch.js';
import { PipelineShared } from '../../pipeline/pipeline_shared.js';
import { PolicyBoard } from '../../policy/board.js';
import { Telemetry } from '../../pipeline/telemetry.js';
import { anomalyProcessorFactory } from '../../processors/anomaly/factory.js';
import { rateStatsProcessorFactory } from '../../processors/ratestats/factory.js';
import { samplerProcessorFactory } from '../../processors/sampler/factory.js';
import { SAMPLER_TRAFFIC } from '../../policy/traffic_tape.js';
import { signatureProcessorFactory, type SignatureProcessorConfig } from '../../processors/signature/factory.js';
import { defaultTunerConfig, validateTunerConfig, type TunerConfig } from '../../tuner/config.js';
import { Tuner } from '../../tuner/tuner.js';
import { fakeClock } from './fake_clock.js';
import { startLlmStandin, type LlmStandin } from './llm_standin.js';
import { batchOf, traceIdFor, type RecordSpec } from './records.js';
import { configFor, testProcessorSettings } from './settings.js';
import { SAMPLE_REASON_ATTRIBUTE } from '../../processors/sampler/sample_attributes.js';
import { tunerMetrics } from '../../tuner/metrics.js';

export interface KeptRecord {
  body: string;
  severity: number;
  reason: string;
  service: string;
}

export interface RigOptions {
  tuner?: Record<string, unknown>;
  sampler?: Record<string, unknown>;
  signature?: Partial<SignatureProcessorConfig>;
  /** The tuner's jitter randomness. */
  random?: () => number;
}

// Turns of the event loop with nothing under way before fake time moves, and (after an answer) before it
// moves although the client scheduled nothing new.
const QUIET_TURNS = 20;
const QUIET_AFTER_ANSWER = 5000;

export async function tunerRig(options: RigOptions = {}) {
  const { fake, clock: fakeTime } = fakeClock();
  // Timers the tuner and its clients schedule, counted: `drive` waits for the one a client schedules after an
  // answer (its retry wait) before it moves time.
  let scheduled = 0;
  const clock: typeof fakeTime = {
    ...fakeTime,
    setTimeout: (callback, ms) => {
      scheduled += 1;
      return fakeTime.setTimeout(callback, ms);
    },
  };
  const standin = await startLlmStandin(() => fake.now);
  // Requests the providers started to the stand-in, counted at the call: one started but not yet arrived is
  // in flight though the stand-in cannot see it, and fake time must not move then (its timeout would fire).
  let started = 0;
  // Set by a retryable answer (429, 5xx), cleared by the next request: an SDK that retries by itself (the
  // openai and anthropic clients) sleeps its Retry-After on real timers, where the fake clock cannot see it.
  let retryMayFollow = false;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(standin.url)) return realFetch(input, init);
    started += 1;
    retryMayFollow = false;
    return realFetch(input, init).then((response) => {
      if (response.status === 429 || response.status >= 500) retryMayFollow = true;
      return response;
    });
  };
  const shared = new PipelineShared();
  const daemonShared = new PipelineShared();
  const policies = new PolicyBoard();
  const telemetry = new Telemetry();
  const base = testProcessorSettings('signature', { clock, shared, daemonShared, policies, telemetry });
  const settings = (id: string) => ({ ...base, id });
  const signature = signatureProcessorFactory.create(settings('signature'), configFor(signatureProcessorFactory, options.signature ?? {}));
  const stats = rateStatsProcessorFactory.create(settings('ratestats'), configFor(rateStatsProcessorFactory, { window: '1m' }));
  const detector = anomalyProcessorFactory.create(settings('anomaly'), anomalyProcessorFactory.defaultConfig());
  const samplerConfig = configFor(samplerProcessorFactory, { window: '1m', ...(options.sampler ?? {}) });
  const sampler = samplerProcessorFactory.create(settings('sampler'), samplerConfig);
  const processors = [signature, stats, detector, sampler];
  for (const p of processors) await p.start();
  const input = new Subject<LogBatch>();
  const kept: KeptRecord[] = [];
  input.pipe(signature.operator, stats.operator, detector.operator, sampler.operator).subscribe((b) => {
    for (const g of b.groups()) for (const r of g.records) kept.push({ body: r.bodyText, severity: r.severityNumber, reason: String(r.attributes.get(SAMPLE_REASON_ATTRIBUTE)), service: g.resource.serviceName ?? '' });
  });

  const defaults = defaultTunerConfig();
  const config = mergeDefaults(defaults, {
    openai: { base_url: `${standin.url}/v1`, api_key: 'sk-test-standin', model: 'gpt-standin' },
    anthropic: { base_url: standin.url, api_key: 'anthropic-test-key', model: 'claude-standin' },
    ollama: { host: standin.url, model: 'llama-standin' },
    target: { keep_fraction: 0.1 },
    timeout: '10s',
    retries: 0,
    ...(options.tuner ?? {}),
  }) as TunerConfig;
  const problems = validateTunerConfig(config);
  if (problems.length > 0) throw new Error(`rig tuner config: ${JSON.stringify(problems)}`);
  const tuner = new Tuner(config, { clock, logger: base.logger, telemetry, store: base.store, policies, daemonShared, ...(options.random ? { random: options.random } : {}) });

  let trace = 0;
  const send = (records: RecordSpec[], service = 'checkout') => input.next(batchOf(records.map((r) => ({ traceId: traceIdFor(trace++), ...r })), service));

  /** A minute of ordinary traffic: five chatty INFO lines, a WARN and a rare ERROR, `scale` × per line. */
  const minute = (service = 'checkout', scale = 1) => {
    const lines: RecordSpec[] = [];
    // `test.pattern` names each line's kind, for samplers told to read patterns from it.
    const line = (kind: string, body: string, severity: number): RecordSpec => ({ body, severity, attributes: { 'test.pattern': kind } });
    for (let i = 0; i < 60 * scale; i++) lines.push(line('cart', `GET /api/cart/${i} returned 200 in ${i % 17} ms`, 9));
    for (let i = 0; i < 40 * scale; i++) lines.push(line('cache', `cache hit for sku ${1000 + i}`, 5));
    for (let i = 0; i < 30 * scale; i++) lines.push(line('session', `user session ${i} refreshed`, 9));
    for (let i = 0; i < 20 * scale; i++) lines.push(line('queue', `queue depth is ${i}`, 9));
    for (let i = 0; i < 10 * scale; i++) lines.push(line('slow', `slow query took ${100 + i} ms`, 13));
    lines.push(line('payment', 'payment gateway refused card: insufficient funds', 17));
    // Spread over the minute in six batches, as an SDK would send them.
    for (let part = 0; part < 6; part++) {
      send(lines.filter((_, i) => i % 6 === part), service);
      fake.tick(10_000);
    }
  };

  /**
   * Settles `promise`, firing the fake clock's timers one at a time while real I/O proceeds between them —
   * only when no request is between the client and the stand-in (every one started has arrived, none is being
   * answered) and, after an answer, once the client has scheduled what it waits on next (a new timer: its
   * retry wait). Waiting is by turns of the event loop, never by real time. Moving time on a real-time beat,
   * or on the stand-in's quiet alone, fired a request's own timeout while it was on its way (a Retry-After of
   * 7 s then measured 1.2: the timeout's retry), or before the client had read the answer and cleared it.
   */
  const drive = async <T>(promise: Promise<T>): Promise<T> => {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    let quiet = 0;
    let seen = standin.activity().finished;
    // Timers scheduled when the last answer finished: moving time waits for one more (or a long quiet).
    let scheduledAtAnswer = -1;
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      const { open, finished } = standin.activity();
      if (finished !== seen) scheduledAtAnswer = scheduled;
      const idle = open === 0 && finished === seen && started === standin.received.length;
      quiet = idle ? quiet + 1 : 0;
      seen = finished;
      // After a retryable answer time moves only once the client waits on the fake clock (or asks again): a
      // long quiet may be the SDK's own real-time sleep before its retry, and moving time then fires the
      // call's timeout. (A client that gives up settles the round, which needs no time.)
      const clientWaits = scheduledAtAnswer < 0 || scheduled > scheduledAtAnswer || (quiet >= QUIET_AFTER_ANSWER && !retryMayFollow);
      if (!settled && quiet >= QUIET_TURNS && clientWaits) {
        if (fake.countTimers() === 0) throw new Error('drive: the round waits on nothing the fake clock can fire');
        fake.next();
        quiet = 0;
        scheduledAtAnswer = -1;
      }
    }
    return tracked;
  };

  /** How many rounds the tuner counted with this outcome (accepted, failed, skipped_unchanged, ...). */
  const rounds = async (outcome: string) => {
    const metric = await tunerMetrics(telemetry).rounds.get();
    return metric.values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
  };

  /** Lets real I/O run (a round in flight) until `predicate` holds, by turns of the event loop; fake time does not move. */
  const until = async (predicate: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 1_000_000; i++) {
      if (await predicate()) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('condition not reached');
  };

  return {
    fake,
    clock,
    rounds,
    until,
    standin,
    tuner,
    config,
    policies,
    telemetry,
    store: base.store,
    traffic: () => daemonShared.lookup(SAMPLER_TRAFFIC)!,
    kept,
    send,
    minute,
    drive,
    async close() {
      tuner.stop();
      input.complete();
      for (const p of processors) await p.shutdown();
      await standin.close();
      globalThis.fetch = realFetch;
      base.store.close();
    },
  };
}

/** A well-formed proposal (as a provider would reply) with the given changes. */
export function proposal(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: 'dynamic',
    severity_keep: { UNSPECIFIED: 0.1, TRACE: 0.01, DEBUG: 0.02, INFO: 0.1, WARN: 0.5, ERROR: 1, FATAL: 1 },
    pattern_keep: [],
    budget: { records_per_second: null, bytes_per_second: null, keep_fraction: 0.06, scope: 'service' },
    first_k_per_window: 1,
    keep_rules: [],
    anomaly_boost: { keep: 1, cooldown_seconds: 300 },
    reasoning: 'the cart lines are repetitive; a slightly larger budget keeps more WARN context',
    ...changes,
  };
}
