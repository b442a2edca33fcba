// Notifications on their way to one destination. Per alert only the newest notification waits (a firing alert
// updated five times while Slack was down is sent once, as it stands, when Slack returns — no storm); a
// resolve is never replaced. Requests are spaced by the destination's least interval, retried with backoff
// (or after the service's Retry-After) for as long as it takes; a destination whose requests keep failing —
// refused for good, or failing for longer than `broken_after` — is marked broken (a metric and the API say
// so) and is still retried. Every attempt's outcome goes in a bounded delivery log. What waits is kept (in the
// store, through `kept`) until it is delivered or refused, so a restart loses none of it.
import { Backoff } from '../pipeline/backoff.js';
import type { Clock } from '../pipeline/clock.js';
import type { Logger } from '../pipeline/logger.js';
import type { Notification } from './alert_engine.js';
import type { Destination } from './destinations.js';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { NO_TRACER } from '../pipeline/self_tracing.js';

export interface DeliveryLogEntry {
  at: string;
  destination: string;
  alert_id: string;
  service: string;
  reason: Notification['reason'];
  outcome: 'delivered' | 'retry' | 'failed' | 'superseded';
  status: number | null;
  error: string | null;
  attempt: number;
}

export interface OutboxOptions {
  retry: { initialMs: number; maxMs: number };
  timeoutMs: number;
  brokenAfterMs: number;
  /** A span per delivery attempt (self_tracing.ts). */
  tracer?: Tracer;
}

interface Pending {
  notification: Notification;
  attempts: number;
}

/** Where waiting notifications are kept across a restart. */
export interface KeptNotifications {
  save(notification: Notification): void;
  drop(alertId: string): void;
}

const LOG_ENTRIES = 1000;

export class Outbox {
  /** Alert id → what waits for it (insertion order: the oldest waiting first). */
  readonly #pending = new Map<string, Pending>();
  readonly #stop = new AbortController();
  #backoff: Backoff;
  #timer: unknown;
  #notBefore = 0;
  #sending = false;
  /** What is being sent right now (replacing it is not superseding it: it may well arrive). */
  #inFlight: Pending | undefined;
  /** Since when every attempt failed (null: the last one was delivered). */
  #failingSince: number | null = null;
  #broken: string | null = null;

  constructor(
    readonly destination: Destination,
    private readonly options: OutboxOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly log: (entry: DeliveryLogEntry) => void,
    private readonly counted: (outcome: DeliveryLogEntry['outcome']) => void,
    private readonly kept?: KeptNotifications,
  ) {
    this.#backoff = this.#freshBackoff();
  }

  state() {
    return { destination: this.destination.id, waiting: this.#pending.size, broken: this.#broken !== null, broken_reason: this.#broken, failing_since: this.#failingSince === null ? null : new Date(this.#failingSince).toISOString() };
  }

  enqueue(notification: Notification): void {
    const id = notification.alert.id;
    const waiting = this.#pending.get(id);
    if (waiting) {
      // A resolve stands; anything else is replaced by the newer state of the alert.
      if (waiting.notification.reason === 'resolved') return;
      if (waiting !== this.#inFlight) this.#logEntry(waiting.notification, 'superseded', null, null, waiting.attempts);
      this.#pending.delete(id);
    }
    this.#pending.set(id, { notification, attempts: 0 });
    this.#keep(() => this.kept?.save(notification));
    this.#schedule(0);
  }

  #keep(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.logger.error({ err: error, destination: this.destination.id }, 'could not keep a waiting alert notification in the store; it waits in memory only');
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stop.signal.aborted || this.#sending) return;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    const wait = Math.max(delayMs, this.#notBefore - this.clock.now(), 0);
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#sendNext();
    }, wait);
  }

  async #sendNext(): Promise<void> {
    const next = this.#pending.entries().next();
    if (next.done || this.#stop.signal.aborted) return;
    const [id, pending] = next.value;
    this.#sending = true;
    this.#inFlight = pending;
    pending.attempts += 1;
    const now = this.clock.now();
    this.#notBefore = now + this.destination.minIntervalMs;
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.options.timeoutMs)]);
    const span = (this.options.tracer ?? NO_TRACER).startSpan('alert.delivery', { kind: SpanKind.CLIENT, attributes: { 'logsift.destination': this.destination.id, 'logsift.alert.id': id, 'logsift.alert.reason': pending.notification.reason, 'logsift.attempt': pending.attempts } });
    let result;
    try {
      result = await this.destination.send(pending.notification, signal);
    } catch (error) {
      result = { kind: 'retry' as const, status: null, reason: (error as Error).message };
    }
    span.setAttribute('logsift.outcome', result.kind);
    if (result.status !== null && result.status !== undefined) span.setAttribute('http.response.status_code', result.status);
    if (result.kind !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR, message: result.reason });
    span.end();
    this.#sending = false;
    this.#inFlight = undefined;
    if (this.#stop.signal.aborted) return;
    const current = this.#pending.get(id) === pending;
    if (result.kind === 'delivered') {
      if (current) this.#done(id);
      this.#logEntry(pending.notification, 'delivered', result.status, null, pending.attempts);
      this.#backoff = this.#freshBackoff();
      if (this.#broken !== null) this.logger.info({ destination: this.destination.id }, 'alert destination delivers again');
      this.#failingSince = null;
      this.#broken = null;
      this.#schedule(0);
      return;
    }
    this.#failingSince ??= now;
    if (result.kind === 'failed') {
      // This message will not be taken as it is: dropped (logged); the next may fare better.
      if (current) this.#done(id);
      this.#logEntry(pending.notification, 'failed', result.status, result.reason, pending.attempts);
      if (result.broken) this.#markBroken(result.reason);
      this.#schedule(result.broken ? this.#backoff.next() : 0);
      return;
    }
    this.#logEntry(pending.notification, 'retry', result.status, result.reason, pending.attempts);
    if (now - this.#failingSince >= this.options.brokenAfterMs) this.#markBroken(`failing since ${new Date(this.#failingSince).toISOString()}: ${result.reason}`);
    this.#schedule(result.afterMs ?? this.#backoff.next());
  }

  #done(id: string): void {
    this.#pending.delete(id);
    this.#keep(() => this.kept?.drop(id));
  }

  #markBroken(reason: string): void {
    if (this.#broken === null) this.logger.error({ destination: this.destination.id, reason }, 'alert destination is broken: alerts to it are not arriving');
    this.#broken = reason;
  }

  #logEntry(n: Notification, outcome: DeliveryLogEntry['outcome'], status: number | null, error: string | null, attempt: number): void {
    this.counted(outcome);
    this.log({ at: new Date(this.clock.now()).toISOString(), destination: this.destination.id, alert_id: n.alert.id, service: n.alert.service, reason: n.reason, outcome, status, error, attempt });
  }

  #freshBackoff(): Backoff {
    return new Backoff({ initialIntervalMs: this.options.retry.initialMs, maxIntervalMs: this.options.retry.maxMs, multiplier: 2, randomizationFactor: 0.2 });
  }

  stop(): void {
    this.#stop.abort(new Error('stopping'));
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
  }
}

/** The newest delivery outcomes of every destination, bounded. */
export class DeliveryLog {
  readonly #entries: DeliveryLogEntry[] = [];

  add(entry: DeliveryLogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > LOG_ENTRIES) this.#entries.shift();
  }

  list(filter: { alert?: string; destination?: string }): DeliveryLogEntry[] {
    return this.#entries.filter((e) => (!filter.alert || e.alert_id === filter.alert) && (!filter.destination || e.destination === filter.destination)).reverse();
  }
}
