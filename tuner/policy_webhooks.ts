// Signed webhooks on every policy change, as Standard Webhooks 1.0 signs them (standardwebhooks.com):
// `webhook-id` (the same on every attempt, so a receiver drops repeats), `webhook-timestamp` (Unix seconds)
// and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the endpoint's `whsec_` key.
// Body: {type: "policy.changed", timestamp, data: {service, version, hash, policy}}. Each delivery is in the
// store before its first attempt and is retried with backoff (Retry-After honoured) on 408, 429, 5xx and
// network errors until `max_elapsed_time`; another 4xx fails it for good. A pending delivery survives a
// restart and is sent again at the next start: at least once, never silently dropped. Deliveries are not
// ordered — the body's version and hash say which is newer.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Backoff } from '../pipeline/backoff.js';
import { sleep, type Clock } from '../pipeline/clock.js';
import type { Logger } from '../pipeline/logger.js';
import { parseRetryAfter } from '../pipeline/send_result.js';
import type { Policy } from '../policy/policy.js';
import { policyHash } from '../policy/policy_hash.js';
import type { Store, WebhookDeliveryRow } from '../store/store.js';
import type { WebhooksConfig } from './config.js';

export const POLICY_CHANGED = 'policy.changed';

type Attempt = { kind: 'delivered'; status: number } | { kind: 'retry'; status: number | null; error: string; afterMs?: number } | { kind: 'failed'; status: number; error: string };

export interface WebhookCounters {
  inc(labels: { outcome: 'delivered' | 'retried' | 'failed' }): void;
}

export class PolicyWebhooks {
  readonly #signers = new Map<string, Webhook>();
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly config: WebhooksConfig,
    private readonly store: () => Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly counters: WebhookCounters,
  ) {
    for (const endpoint of config.endpoints) this.#signers.set(endpoint.url, new Webhook(endpoint.secret));
  }

  /** Sends again what the last run left pending (to endpoints still configured). */
  resume(): void {
    const pending = this.store().webhookDeliveries({ status: 'pending', limit: 100_000 });
    for (const row of pending.reverse()) {
      if (this.#signers.has(row.url)) this.#run(row);
      else this.#settle(row, { kind: 'failed', status: 0, error: 'the endpoint is no longer configured' });
    }
  }

  /** A policy went live: one delivery per endpoint that wants the service. */
  changed(policy: Policy): void {
    const now = this.clock.now();
    const hash = policyHash(policy);
    for (const endpoint of this.config.endpoints) {
      if (endpoint.services?.length && !endpoint.services.includes(policy.service)) continue;
      const body = JSON.stringify({ type: POLICY_CHANGED, timestamp: new Date(now).toISOString(), data: { service: policy.service, version: policy.version, hash, policy } });
      const row: WebhookDeliveryRow = {
        id: `msg_${randomUUID()}`,
        url: endpoint.url,
        event: POLICY_CHANGED,
        service: policy.service,
        version: policy.version,
        hash,
        body,
        status: 'pending',
        attempts: 0,
        last_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      };
      try {
        this.store().addWebhookDelivery(row, now - this.config.keep.ms);
      } catch (error) {
        this.logger.error({ err: error, url: endpoint.url, service: policy.service }, 'could not record a webhook delivery; sending it without a log entry');
      }
      this.#run(row);
    }
  }

  /** Stops retrying; what is still pending stays in the store for the next start. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('stopping'));
    await Promise.all(this.#running);
  }

  #run(row: WebhookDeliveryRow): void {
    const running: Promise<void> = this.#deliver(row).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async #deliver(row: WebhookDeliveryRow): Promise<void> {
    const { retry } = this.config;
    const backoff = new Backoff({ initialIntervalMs: retry.initial_interval.ms, maxIntervalMs: retry.max_interval.ms, multiplier: retry.multiplier, randomizationFactor: 0.2 });
    const started = this.clock.now();
    for (let attempts = row.attempts + 1; ; attempts++) {
      const outcome = await this.#attempt(row);
      if (this.#stop.signal.aborted) return;
      const state = { ...row, attempts };
      if (outcome.kind !== 'retry') return this.#settle(state, outcome);
      const delay = outcome.afterMs ?? backoff.next();
      if (this.clock.now() - started + delay > retry.max_elapsed_time.ms) {
        return this.#settle(state, { kind: 'failed', status: outcome.status ?? 0, error: `gave up after ${attempts} attempts: ${outcome.error}` });
      }
      this.#record(state, 'pending', outcome.status, outcome.error);
      this.counters.inc({ outcome: 'retried' });
      try {
        await sleep(this.clock, delay, this.#stop.signal);
      } catch {
        return;
      }
    }
  }

  async #attempt(row: WebhookDeliveryRow): Promise<Attempt> {
    const signer = this.#signers.get(row.url)!;
    const at = new Date(this.clock.now());
    const timeout = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.config.timeout.ms)]);
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': row.id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signer.sign(row.id, at, row.body),
        },
        body: row.body,
        signal: timeout,
      });
      const text = await response.text().catch(() => '');
      if (response.ok) return { kind: 'delivered', status: response.status };
      const error = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      if (response.status === 408 || response.status === 429 || response.status >= 500) {
        const afterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
        return { kind: 'retry', status: response.status, error, ...(afterMs !== undefined ? { afterMs } : {}) };
      }
      return { kind: 'failed', status: response.status, error };
    } catch (error) {
      return { kind: 'retry', status: null, error: (error as Error).message };
    }
  }

  #settle(row: WebhookDeliveryRow, outcome: Exclude<Attempt, { kind: 'retry' }>): void {
    if (outcome.kind === 'delivered') {
      this.#record(row, 'delivered', outcome.status, null);
      this.counters.inc({ outcome: 'delivered' });
      return;
    }
    this.#record(row, 'failed', outcome.status, outcome.error);
    this.counters.inc({ outcome: 'failed' });
    this.logger.warn({ url: row.url, service: row.service, version: row.version, attempts: row.attempts, reason: outcome.error }, 'a policy webhook was not delivered');
  }

  #record(row: WebhookDeliveryRow, status: WebhookDeliveryRow['status'], lastStatus: number | null, lastError: string | null): void {
    try {
      this.store().updateWebhookDelivery(row.id, { status, attempts: row.attempts, last_status: lastStatus, last_error: lastError, updated_at: this.clock.now() });
    } catch (error) {
      this.logger.error({ err: error, id: row.id }, 'could not record a webhook delivery\'s progress');
    }
  }
}
