// `logsift policy show|history|diff|rollback|propose`: the control API from the command line, and one tuner
// round offline over a traffic file (`propose --config FILE --input TRAFFIC`), without a live daemon.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfigFile } from '../pipeline/load_config.js';
import { realClock, type Clock } from '../pipeline/clock.js';
import { Telemetry } from '../pipeline/telemetry.js';
import type { Policy } from '../policy/policy.js';
import type { TunerConfig } from '../tuner/config.js';
import type { PolicyVersion } from '../tuner/policy_versions.js';
import type { RoundOutcome } from '../tuner/round.js';
import { Tuner } from '../tuner/tuner.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';
import { callDaemon, printFailure } from './control_endpoint.js';
import { OfflinePipeline } from './offline_pipeline.js';

interface Common {
  endpoint: string;
  json?: boolean;
}

const call = (endpoint: string, method: string, route: string, body?: unknown) => callDaemon(endpoint, method, `/api/v1/policies/${route}`, body, 'the tuner extension');
const fail = printFailure;

function summary(policy: Policy): string {
  const b = policy.budget;
  const budget = [b.keep_fraction !== null ? `keep_fraction ${b.keep_fraction}` : '', b.records_per_second !== null ? `${b.records_per_second} records/s` : '', b.bytes_per_second !== null ? `${b.bytes_per_second} bytes/s` : ''].filter(Boolean).join(', ');
  return [
    `${policy.service} version ${policy.version} (${policy.mode})`,
    `  budget:     ${budget || 'none'} (${b.scope})`,
    `  severity:   ${Object.entries(policy.severity_keep).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  first_k:    ${policy.first_k_per_window} per pattern and window`,
    `  patterns:   ${Object.keys(policy.pattern_keep).length} pinned; keep rules: ${policy.keep_rules.length}`,
    `  boost:      ${policy.anomaly_boost.keep} for ${policy.anomaly_boost.cooldown_seconds}s`,
    `  reasoning:  ${policy.reasoning}`,
  ].join('\n');
}

export async function policyShow(service: string, options: Common): Promise<number> {
  const result = await call(options.endpoint, 'GET', encodeURIComponent(service));
  if (result.status !== 200) return fail(result);
  process.stdout.write(options.json ? `${JSON.stringify(result.value)}\n` : `${summary(result.value as Policy)}\n`);
  return 0;
}

export async function policyHistory(service: string, options: Common): Promise<number> {
  const result = await call(options.endpoint, 'GET', `${encodeURIComponent(service)}/history`);
  if (result.status !== 200) return fail(result);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result.value)}\n`);
    return 0;
  }
  const { versions, rejections } = result.value as { versions: PolicyVersion[]; rejections: unknown[] };
  for (const v of versions) {
    const kept = v.replay ? ` replay keeps ${v.replay.candidate.keep_fraction}` : '';
    process.stdout.write(`v${v.version}  ${v.created_at}  ${v.author}${v.model ? `/${v.model}` : ''}  clamps ${v.clamps.length}${kept}  ${v.reasoning}\n`);
  }
  process.stdout.write(`${rejections.length} rejected proposal(s)\n`);
  return 0;
}

/** Every leaf that differs between two JSON values, by dotted path. */
export function diffPolicies(a: unknown, b: unknown, prefix = ''): Array<{ path: string; a: unknown; b: unknown }> {
  const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffPolicies(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: prefix, a: a ?? null, b: b ?? null }];
}

export async function policyDiff(service: string, a: string, b: string, options: Common): Promise<number> {
  const result = await call(options.endpoint, 'GET', `${encodeURIComponent(service)}/history`);
  if (result.status !== 200) return fail(result);
  const { versions } = result.value as { versions: PolicyVersion[] };
  const find = (v: string) => versions.find((x) => x.version === Number(v));
  const [va, vb] = [find(a), find(b)];
  if (!va || !vb) {
    process.stderr.write(`${service} has no version ${!va ? a : b} (versions: ${versions.map((v) => v.version).join(', ') || 'none'})\n`);
    return 1;
  }
  const { version: _a, reasoning: _ra, ...pa } = va.policy;
  const { version: _b, reasoning: _rb, ...pb } = vb.policy;
  const changes = diffPolicies(pa, pb);
  if (options.json) process.stdout.write(`${JSON.stringify({ service, from: va.version, to: vb.version, changes })}\n`);
  else if (changes.length === 0) process.stdout.write(`versions ${a} and ${b} set the same policy\n`);
  else for (const c of changes) process.stdout.write(`${c.path}: ${JSON.stringify(c.a)} → ${JSON.stringify(c.b)}\n`);
  return 0;
}

export async function policyRollback(service: string, version: string, options: Common): Promise<number> {
  const result = await call(options.endpoint, 'POST', `${encodeURIComponent(service)}/rollback`, { version: Number(version) });
  if (result.status !== 201) return fail(result);
  const policy = result.value as Policy;
  process.stdout.write(options.json ? `${JSON.stringify(policy)}\n` : `${service} is back on version ${version}'s policy as version ${policy.version}\n`);
  return 0;
}

function printProposal(outcome: RoundOutcome, json: boolean | undefined): void {
  if (json) {
    const { candidate, accepted, clamps, replay, provider, reasoning } = outcome;
    process.stdout.write(`${JSON.stringify({ candidate, accepted, clamps, replay, provider, reasoning, model: outcome.model, reason: outcome.reason, service: outcome.service })}\n`);
    return;
  }
  process.stdout.write(`${outcome.accepted ? 'would be accepted' : 'would be rejected'}: ${outcome.reason}\n`);
  process.stdout.write(`provider ${outcome.provider}${outcome.model ? `/${outcome.model}` : ''}; reasoning: ${outcome.reasoning || '(none)'}\n`);
  for (const c of outcome.clamps) process.stdout.write(`clamped ${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)} (${c.rule})\n`);
  if (outcome.replay) {
    const { candidate: r, current } = outcome.replay;
    process.stdout.write(`replay over ${r.records} records: keeps ${r.keep_fraction} (now ${current.keep_fraction}), ERROR+ ${r.error_retention}, coverage ${r.coverage}, incidents ${r.incident_retention}\n`);
  }
  if (outcome.candidate) process.stdout.write(`${summary(outcome.candidate)}\n`);
}

export async function policyPropose(options: Common & { service?: string; config?: string; input?: string }): Promise<number> {
  if (options.input === undefined) {
    if (!options.service) {
      process.stderr.write('--service is required when asking a live daemon\n');
      return 1;
    }
    const result = await call(options.endpoint, 'POST', `${encodeURIComponent(options.service)}/propose`);
    if (result.status !== 200) return fail(result);
    printProposal(result.value as RoundOutcome, options.json);
    return 0;
  }
  if (!options.config) {
    process.stderr.write('--input needs --config (the pipeline to replay and the tuner settings)\n');
    return 1;
  }
  const registry = builtinRegistry();
  const loaded = loadConfigFile(options.config, registry, process.env);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-propose-'));
  try {
    const offline = new OfflinePipeline(loaded.config, registry, dir, () => undefined);
    await offline.start();
    const fed = await offline.feed(options.input);
    if (fed.recordsIn === 0) {
      process.stderr.write(`${options.input} holds no records\n`);
      return 1;
    }
    const entry = [...loaded.config.extensions.values()].find((e) => e.type === 'tuner');
    const tunerConfig = (entry?.config ?? registry.get('extension', 'tuner')!.defaultConfig()) as TunerConfig;
    // Time is the traffic's (the tape's window ends at its last record); waits and timeouts are real.
    const clock: Clock = { now: () => offline.clock.now(), setTimeout: realClock.setTimeout, clearTimeout: realClock.clearTimeout };
    const tuner = new Tuner(tunerConfig, { clock, logger: pino({ level: 'warn' }, pino.destination(2)), telemetry: new Telemetry(), store: offline.store, policies: offline.policies, daemonShared: offline.daemonShared });
    const traffic = tuner.traffic();
    if (!traffic) {
      process.stderr.write('the first pipeline has no sampler with its tape enabled: there is nothing to tune\n');
      return 1;
    }
    const services = traffic.services();
    const busiest = (s: string) => traffic.tape.entries(offline.clock.now(), s).length;
    const service = options.service ?? services.sort((x, y) => busiest(y) - busiest(x))[0]!;
    if (!services.includes(service)) {
      process.stderr.write(`${service} is not in the traffic (services: ${services.join(', ')})\n`);
      return 1;
    }
    const outcome = (await tuner.round(service, true))!;
    await offline.shutdown();
    printProposal(outcome, options.json);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
