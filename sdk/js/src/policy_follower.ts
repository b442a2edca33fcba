// The service's policy, followed from logsift the way its sidecars follow a gateway: a long-poll
// (`GET /api/v1/policies/{service}?wait=` with the ETag held) so a change arrives as soon as the daemon has
// it, each policy checked here before it goes in force between two records, the outcome reported back
// (`POST …/status`, so the console's fleet page lists this process), and the last one kept (a cache the
// caller gives: a file in Node) for the next start. Nothing here throws into the application: a daemon that
// is down, slow or answering garbage only leaves the policy in force as it was, and is asked again later.
import type { Policy } from '../../../policy/policy.js';
import { policyProblem } from './policy_check.js';
import { nextBackoff, pause } from './timers.js';

export interface KnownPolicy {
  policy: Policy;
  etag: string;
}

/** Where the last policy applied is kept across restarts. */
export interface PolicyCache {
  load(): KnownPolicy | undefined;
  save(known: KnownPolicy): void;
}

export interface FollowerOptions {
  /** The daemon's control API, e.g. http://127.0.0.1:13133. */
  endpoint: string;
  service: string;
  instance: string;
  apply(policy: Policy): void;
  headers?: Record<string, string>;
  waitSeconds?: number;
  cache?: PolicyCache;
  /** Told each problem (the SDK never throws them); silent by default. */
  onError?(error: string): void;
  fetch?: typeof fetch;
}

/** Extra time past the wait before a poll counts as hung. */
const POLL_GRACE_MS = 15_000;
const NO_POLICY_PAUSE_MS = 5_000;
const RETRY_INITIAL_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export class PolicyFollower {
  #etag: string | undefined;
  #stop = new AbortController();
  #running: Promise<void> | undefined;
  /** The policy's version in force, from the daemon or the cache; undefined while the default is. */
  version: number | undefined;
  connected = false;

  constructor(private readonly options: FollowerOptions) {}

  start(): void {
    if (this.#running) return;
    this.#restore();
    this.#running = this.#run().catch((error: unknown) => this.#problem(`the policy follower stopped: ${String(error)}`));
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  #problem(message: string): void {
    try {
      this.options.onError?.(message);
    } catch {
      // An error handler that throws is the application's, and must not stop the follower.
    }
  }

  #restore(): void {
    try {
      const known = this.options.cache?.load();
      if (known && policyProblem(known.policy, this.options.service) === undefined) this.#put(known.policy, known.etag, false);
    } catch (error) {
      this.#problem(`the cached policy could not be read: ${String(error)}`);
    }
  }

  #put(policy: Policy, etag: string, save: boolean): void {
    this.options.apply(policy);
    this.#etag = etag;
    this.version = policy.version;
    if (!save) return;
    try {
      this.options.cache?.save({ policy, etag });
    } catch (error) {
      this.#problem(`the policy could not be cached: ${String(error)}`);
    }
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    let backoff = 0;
    while (!stop.aborted) {
      const outcome = await this.#poll(stop);
      if (outcome === 'again') backoff = 0;
      else if (outcome === 'none') await pause(NO_POLICY_PAUSE_MS, stop);
      else await pause((backoff = nextBackoff(backoff, RETRY_INITIAL_MS, RETRY_MAX_MS)), stop);
    }
  }

  /** One long-poll: `again` to poll at once, `none` when the daemon has no policy yet, `retry` after a failure. */
  async #poll(stop: AbortSignal): Promise<'again' | 'none' | 'retry'> {
    const { endpoint, service } = this.options;
    const waitSeconds = this.options.waitSeconds ?? 30;
    const doFetch = this.options.fetch ?? fetch;
    try {
      const response = await doFetch(`${endpoint}/api/v1/policies/${encodeURIComponent(service)}?wait=${waitSeconds}s`, {
        headers: { ...this.options.headers, ...(this.#etag ? { 'if-none-match': this.#etag } : {}) },
        signal: AbortSignal.any([stop, AbortSignal.timeout(waitSeconds * 1000 + POLL_GRACE_MS)]),
      });
      if (response.status === 304) {
        this.connected = true;
        return 'again';
      }
      if (response.status === 404) {
        await response.body?.cancel();
        this.connected = true;
        return 'none';
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`the daemon answered ${response.status}`);
      }
      const etag = response.headers.get('etag') ?? '';
      const body: unknown = await response.json();
      this.connected = true;
      const problem = policyProblem(body, service) ?? (etag === '' ? 'the answer has no ETag' : undefined);
      if (problem) {
        await this.#report(etag.replaceAll('"', ''), 'failed', problem);
        throw new Error(`refused a policy: ${problem}`);
      }
      this.#put(body as Policy, etag, true);
      await this.#report(etag.replaceAll('"', ''), 'applied');
      return 'again';
    } catch (error) {
      if (stop.aborted) return 'again';
      this.connected = false;
      this.#problem(`policy from ${endpoint}: ${error instanceof Error ? error.message : String(error)}`);
      return 'retry';
    }
  }

  async #report(hash: string, status: 'applied' | 'failed', error?: string): Promise<void> {
    const doFetch = this.options.fetch ?? fetch;
    try {
      const response = await doFetch(`${this.options.endpoint}/api/v1/policies/${encodeURIComponent(this.options.service)}/status`, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ instance: this.options.instance, hash: hash || 'none', status, ...(error ? { error } : {}) }),
        signal: AbortSignal.timeout(POLL_GRACE_MS),
      });
      await response.body?.cancel();
    } catch (reportError) {
      this.#problem(`could not report the policy's status: ${String(reportError)}`);
    }
  }
}
