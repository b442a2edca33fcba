// The control API on the telemetry server:
//   GET  /api/v1/policies                      the services with a policy in force, and the policy JSON schema
//   GET  /api/v1/policies/{service}            the policy in force; ETag = its hash (policy/policy_hash.ts),
//                                              If-None-Match → 304; `?wait=30s` with If-None-Match holds the
//                                              answer until the policy changes (200) or the wait ends (304)
//   POST /api/v1/policies/{service}/status     a consumer's report: {instance, hash, applying|applied|failed, error}
//   GET  /api/v1/policies/{service}/status     every consumer's latest report, and whether it holds the policy
//   POST /api/v1/policies/{service}            a user's policy: validated, guarded and replayed like any
//                                              author's; live (201) only when the replay accepts it, else
//                                              422 with the verdict — `?force=true` makes it live anyway,
//                                              recorded as forced; `?dry_run=true` changes nothing and
//                                              answers 200 with what would happen (verdict, clamps, replay)
//   PATCH /api/v1/policies/{service}           the same, for the fields given merged over the policy in force
//   GET  /api/v1/policies/{service}/history    versions (with author, reasoning, replay, clamps) and rejections
//   POST /api/v1/policies/{service}/rollback   {"version": N}: a new version carrying N's policy
//   POST /api/v1/policies/{service}/propose    one tuner round in dry mode: candidate, replay report, reasoning
import { readJsonBody, sendJson as send, type RouteHandler } from '../pipeline/http_routes.js';
import { mergeDefaults } from '../config/merge.js';
import { POLICY_SCHEMA, validatePolicy, type Policy } from '../policy/policy.js';
import type { SubmitResult } from './tuner.js';
import { parseDuration } from '../config/duration.js';
import { policyHash } from '../policy/policy_hash.js';
import { reportProblems, type StatusReport } from './consumer_status.js';
import type { WaitOutcome } from './policy_waits.js';

export const POLICIES_PREFIX = '/api/v1/policies';
const MAX_BODY_BYTES = 1024 * 1024;

export interface PolicyControl {
  current(service: string): Policy | undefined;
  services(): string[];
  /** Guards and replays a user's policy; live when the replay accepts it (or forced), or only judged (`dryRun`). */
  submit(service: string, policy: Policy, force: boolean, dryRun: boolean): Promise<SubmitResult>;
  history(service: string): unknown;
  rollback(service: string, version: number): Policy | undefined;
  /** One dry-run round; undefined when no sampler shares its traffic. */
  propose(service: string): Promise<unknown>;
  /** Resolves when the service's policy changes or `ms` pass; undefined when too many waits are open. */
  wait(service: string, ms: number, signal: AbortSignal): Promise<WaitOutcome> | undefined;
  readonly maxWaitMs: number;
  report(service: string, report: StatusReport): void;
  consumers(service: string): unknown;
}

export const etagOf = (policy: Policy) => `"${policyHash(policy)}"`;

/** How long to wait before polling again when the long-polls are all taken. */
const BUSY_RETRY_SECONDS = '5';

const ACTIONS = ['history', 'rollback', 'propose', 'status'];

export function policiesRoute(control: PolicyControl): RouteHandler {
  return async (req, res, path) => {
    const rest = path.slice(POLICIES_PREFIX.length);
    const method = req.method ?? 'GET';
    if (rest === '' || rest === '/') {
      if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { error: `${method} is not allowed here` });
      return send(res, 200, method === 'HEAD' ? undefined : { services: control.services().map((service) => ({ service, version: control.current(service)?.version ?? 0 })), schema: POLICY_SCHEMA });
    }
    const parts = rest.startsWith('/') ? rest.slice(1).split('/').map(decodeURIComponent) : [];
    const [service, action] = parts;
    if (!service || parts.length > 2) return send(res, 404, { error: `expected /api/v1/policies/{service}[/${ACTIONS.join('|/')}]` });
    if (action === undefined && (method === 'GET' || method === 'HEAD')) {
      let policy = control.current(service);
      const waitText = new URL(req.url ?? '/', 'http://x').searchParams.get('wait');
      if (waitText !== null) {
        const ms = parseDuration(waitText);
        if (ms === undefined) return send(res, 400, { error: `wait must be a duration such as 30s, not ${JSON.stringify(waitText)}` });
        // Held only while the consumer has what is in force (or nothing is yet): anything newer goes out at once.
        if (ms > 0 && (!policy || req.headers['if-none-match'] === etagOf(policy))) {
          const hungUp = new AbortController();
          res.on('close', () => hungUp.abort());
          const waiting = control.wait(service, Math.min(ms, control.maxWaitMs), hungUp.signal);
          if (!waiting) return send(res, 503, { error: 'too many long-polls are open; poll again later' }, { 'retry-after': BUSY_RETRY_SECONDS });
          if ((await waiting) === 'gone') return;
          policy = control.current(service);
        }
      }
      if (!policy) return send(res, 404, { error: `no policy for ${service}: the sampler has not seen it and it has no version` });
      const etag = etagOf(policy);
      if (req.headers['if-none-match'] === etag) return send(res, 304, undefined, { etag });
      return send(res, 200, method === 'HEAD' ? undefined : policy, { etag });
    }
    if (action === 'status' && method === 'POST') {
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      if (body.kind === 'refused') return send(res, body.status, { error: body.error });
      const problems = reportProblems(body.value);
      if (problems.length > 0) return send(res, 400, { error: 'invalid status report', problems });
      control.report(service, body.value as StatusReport);
      return send(res, 204, undefined);
    }
    if (action === 'status' && method === 'GET') return send(res, 200, control.consumers(service));
    if (action === undefined && (method === 'POST' || method === 'PATCH')) {
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      if (body.kind === 'refused') return send(res, body.status, { error: body.error });
      if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) return send(res, 400, { error: 'expected a JSON object: a policy (POST) or some of its fields (PATCH)' });
      const ifMatch = req.headers['if-match'];
      const current = control.current(service);
      if (ifMatch !== undefined && (!current || etagOf(current) !== ifMatch)) return send(res, 412, { error: 'the policy changed since that ETag', etag: current ? etagOf(current) : null });
      if (method === 'PATCH' && !current) return send(res, 404, { error: `no policy for ${service} to patch: POST a whole one` });
      const given = { reasoning: '', ...(body.value as object) };
      const candidate = (method === 'PATCH' ? mergeDefaults(current!, given) : { service, version: 0, ...given }) as Policy;
      if (candidate.service !== service) return send(res, 400, { error: `the body is for service ${candidate.service}, the path for ${service}` });
      const problems = validatePolicy(candidate).map((p) => `${p.path}: ${p.message}`);
      if (problems.length > 0) return send(res, 400, { error: 'invalid policy', problems });
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const result = await control.submit(service, candidate, query.get('force') === 'true', query.get('dry_run') === 'true');
      if (result.kind === 'invalid') return send(res, 400, { error: 'invalid policy', problems: result.problems });
      if (result.kind === 'dry_run') return send(res, 200, result.body);
      if (result.kind === 'rejected') return send(res, 422, result.body);
      const live = control.current(service)!;
      return send(res, 201, result.body, { etag: etagOf(live) });
    }
    if (action === 'history' && method === 'GET') return send(res, 200, control.history(service));
    if (action === 'rollback' && method === 'POST') {
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      if (body.kind === 'refused') return send(res, body.status, { error: body.error });
      const version = (body.value as { version?: unknown }).version;
      if (!Number.isInteger(version)) return send(res, 400, { error: 'expected {"version": <integer>}' });
      const policy = control.rollback(service, version as number);
      if (!policy) return send(res, 404, { error: `${service} has no version ${String(version)}` });
      return send(res, 201, policy, { etag: etagOf(policy) });
    }
    if (action === 'propose' && method === 'POST') {
      const outcome = await control.propose(service);
      if (outcome === undefined) return send(res, 503, { error: 'no sampler shares its traffic with the tuner: nothing to propose from' });
      return send(res, 200, outcome);
    }
    if (action !== undefined && !ACTIONS.includes(action)) return send(res, 404, { error: `unknown action ${action}` });
    return send(res, 405, { error: `${method} is not allowed here` });
  };
}
