// One service's policy, followed from the gateway: a long-poll (`GET /api/v1/policies/{service}?wait=` with
// the ETag held), so a change arrives as soon as the gateway has it; each policy received is checked here
// (this instance's own schema and invariants) before it goes on the local board, and the outcome is
// reported back — `applied`, or `failed` with the reason. While the gateway is away the board keeps what was
// applied last (and the disk, for a restart); the report is sent again once the gateway answers, since a
// restarted gateway has forgotten it.
import { Backoff } from '../../pipeline/backoff.js';
import { sleep, type Clock } from '../../pipeline/clock.js';
import type { Logger } from '../../pipeline/logger.js';
import { parseRetryAfter } from '../../pipeline/send_result.js';
import { validatePolicy, type Policy } from '../../policy/policy.js';
import type { KnownPolicy } from './last_known_good.js';

export interface FollowerDeps {
  endpoint: string;
  /** Sent with every request to the gateway (its token). */
  headers: Readonly<Record<string, string>>;
  instance: string;
  waitMs: number;
  retry: { initialMs: number; maxMs: number };
  /** Puts a policy from the gateway in force here (the extension scales its rate budgets to this replica's share). */
  apply(policy: Policy): void;
  clock: Clock;
  logger: Logger;
  /** Keeps an applied policy for the next start. */
  remember(service: string, known: KnownPolicy): void;
  counted(outcome: 'applied' | 'failed' | 'unreachable'): void;
}

type Report = { instance: string; hash: string; status: 'applied' | 'failed'; error?: string };

type Poll = { kind: 'policy'; policy: unknown; etag: string } | { kind: 'unchanged' } | { kind: 'none' } | { kind: 'retry'; reason: string; afterMs?: number };

/** What the follower shows on the sidecar's own API. */
export interface FollowerState {
  service: string;
  /** The policy in force here: from the gateway in this run, from disk (the gateway not reached yet), or none. */
  source: 'gateway' | 'last_known_good' | 'none';
  hash: string | null;
  version: number | null;
  connected: boolean;
  last_error: string | null;
  last_report: Report | null;
}

/** Extra time past the wait before a poll counts as hung (the gateway holds it `wait`, then answers). */
const POLL_GRACE_MS = 15_000;

export class ServiceFollower {
  #etag: string | undefined;
  #source: FollowerState['source'] = 'none';
  #version: number | null = null;
  #connected = false;
  #lastError: string | null = null;
  #report: Report | undefined;
  /** The last report has not reached the gateway since it last came back. */
  #reportOwed = false;

  constructor(
    readonly service: string,
    private readonly deps: FollowerDeps,
  ) {}

  /** Puts a policy kept from an earlier run in force before the gateway is asked. */
  restore(known: KnownPolicy): boolean {
    if (validatePolicy(known.policy).length > 0 || known.policy.service !== this.service) return false;
    this.deps.apply(known.policy);
    this.#etag = known.etag;
    this.#source = 'last_known_good';
    this.#version = known.policy.version;
    return true;
  }

  state(): FollowerState {
    return {
      service: this.service,
      source: this.#source,
      hash: this.#etag ? this.#etag.replaceAll('"', '') : null,
      version: this.#version,
      connected: this.#connected,
      last_error: this.#lastError,
      last_report: this.#report ?? null,
    };
  }

  async run(stop: AbortSignal): Promise<void> {
    const { retry, clock } = this.deps;
    let backoff = this.#backoff();
    while (!stop.aborted) {
      // Before the next poll (which may be held for the whole wait): the gateway hears at once what happened.
      if (this.#reportOwed) await this.#sendReport(stop);
      const poll = await this.#poll(stop);
      if (stop.aborted) return;
      let pause = 0;
      if (poll.kind === 'retry') {
        if (this.#connected || this.#lastError === null) this.deps.logger.warn({ service: this.service, reason: poll.reason }, 'the policy gateway is not answering; sampling goes on with the policy in force');
        this.#connected = false;
        this.#lastError = poll.reason;
        // A gateway that went away may come back without its memory of this instance: tell it again.
        this.#reportOwed = this.#report !== undefined;
        this.deps.counted('unreachable');
        pause = poll.afterMs ?? backoff.next();
      } else {
        if (!this.#connected && this.#lastError !== null) this.deps.logger.info({ service: this.service }, 'the policy gateway answers again');
        this.#connected = true;
        this.#lastError = null;
        backoff = this.#backoff();
        if (poll.kind === 'policy') this.#apply(poll.policy, poll.etag);
        // No policy at the gateway yet: a short pause, so a gateway without one is not asked in a tight loop.
        if (poll.kind === 'none') pause = retry.initialMs;
      }
      if (pause > 0) {
        try {
          await sleep(clock, pause, stop);
        } catch {
          return;
        }
      }
    }
  }

  #backoff(): Backoff {
    const { initialMs, maxMs } = this.deps.retry;
    return new Backoff({ initialIntervalMs: initialMs, maxIntervalMs: maxMs, multiplier: 2, randomizationFactor: 0.2 });
  }

  async #poll(stop: AbortSignal): Promise<Poll> {
    const { endpoint, waitMs } = this.deps;
    const url = `${endpoint}/api/v1/policies/${encodeURIComponent(this.service)}?wait=${Math.round(waitMs / 1000)}s`;
    try {
      const response = await fetch(url, {
        headers: { ...this.deps.headers, ...(this.#etag ? { 'if-none-match': this.#etag } : {}) },
        signal: AbortSignal.any([stop, AbortSignal.timeout(waitMs + POLL_GRACE_MS)]),
      });
      if (response.status === 304) return { kind: 'unchanged' };
      if (response.status === 404) {
        await response.body?.cancel();
        return { kind: 'none' };
      }
      if (response.status === 200) {
        const etag = response.headers.get('etag');
        const policy = (await response.json()) as unknown;
        if (!etag) return { kind: 'retry', reason: 'the gateway answered without an ETag' };
        return { kind: 'policy', policy, etag };
      }
      const text = (await response.text()).slice(0, 200);
      const afterMs = parseRetryAfter(response.headers.get('retry-after'), this.deps.clock.now());
      return { kind: 'retry', reason: `HTTP ${response.status}${text ? `: ${text}` : ''}`, ...(afterMs !== undefined ? { afterMs } : {}) };
    } catch (error) {
      return { kind: 'retry', reason: (error as Error).message };
    }
  }

  #apply(policy: unknown, etag: string): void {
    const hash = etag.replaceAll('"', '');
    // Held either way: a policy this instance cannot apply is not asked for again until the gateway changes it.
    this.#etag = etag;
    const problems = validatePolicy(policy).map((p) => `${p.path}: ${p.message}`);
    const named = (policy as { service?: unknown } | null)?.service;
    if (problems.length === 0 && named !== this.service) problems.push(`service: the gateway sent ${String(named)}'s policy for ${this.service}`);
    if (problems.length > 0) {
      const error = `refused by this instance: ${problems.join('; ')}`;
      this.deps.logger.error({ service: this.service, hash, problems }, 'a policy from the gateway cannot be applied here; the one in force stays');
      this.deps.counted('failed');
      this.#owe({ instance: this.deps.instance, hash, status: 'failed', error });
      return;
    }
    const applied = policy as Policy;
    this.deps.apply(applied);
    this.#source = 'gateway';
    this.#version = applied.version;
    try {
      this.deps.remember(this.service, { policy: applied, etag });
    } catch (error) {
      this.deps.logger.error({ err: error, service: this.service }, 'could not keep the applied policy on disk; a restart without the gateway would fall back to the config\'s');
    }
    this.deps.counted('applied');
    this.#owe({ instance: this.deps.instance, hash, status: 'applied' });
  }

  #owe(report: Report): void {
    this.#report = report;
    this.#reportOwed = true;
  }

  async #sendReport(stop: AbortSignal): Promise<void> {
    const report = this.#report;
    if (!report) return;
    try {
      const response = await fetch(`${this.deps.endpoint}/api/v1/policies/${encodeURIComponent(this.service)}/status`, {
        method: 'POST',
        headers: { ...this.deps.headers, 'content-type': 'application/json' },
        body: JSON.stringify(report),
        signal: AbortSignal.any([stop, AbortSignal.timeout(POLL_GRACE_MS)]),
      });
      await response.body?.cancel();
      // Sent, or refused as malformed (a bug to see in the log, not to repeat forever).
      if (response.ok || (response.status >= 400 && response.status < 500)) this.#reportOwed = false;
      if (!response.ok) this.deps.logger.warn({ service: this.service, status: response.status }, 'the gateway did not take a status report');
    } catch {
      // The gateway went away again: owed still, sent once it answers.
    }
  }
}
