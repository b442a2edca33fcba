// Daemon events (anomalies, sampling ledgers) as PostHog events, through `POST {endpoint}/batch/` with the
// project token in the body, as PostHog's capture API takes them. Events are few and small: those raised
// together (a window's ledgers) go in one request, sent at once, tried twice; a failure is logged and
// counted rather than queued.
import type { CreateSettings } from '../../pipeline/component.js';
import { attemptSignal } from '../helper/attempt_signal.js';
import type { DaemonEvent } from '../../pipeline/event_bus.js';
import { posthogMetrics } from './metrics.js';

export class PosthogEvents {
  readonly #pending = new Set<Promise<void>>();
  #unsubscribe: (() => void) | undefined;
  /** Events raised in the current turn of the event loop, sent together at its end. */
  #gathering: DaemonEvent[] | undefined;
  readonly #metrics: ReturnType<typeof posthogMetrics>;

  constructor(
    private readonly settings: CreateSettings,
    private readonly endpoint: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {
    this.#metrics = posthogMetrics(settings.telemetry);
  }

  start(): void {
    this.#unsubscribe = this.settings.events.subscribe((event) => {
      if (this.#gathering) {
        this.#gathering.push(event);
        return;
      }
      const events = (this.#gathering = [event]);
      const sending = new Promise<void>((resolve) => queueMicrotask(resolve))
        .then(() => {
          this.#gathering = undefined;
          return this.#send(events);
        })
        .finally(() => this.#pending.delete(sending));
      this.#pending.add(sending);
    });
  }

  async #send(events: readonly DaemonEvent[]): Promise<void> {
    const body = JSON.stringify({
      api_key: this.apiKey,
      batch: events.map((event) => ({
        event: event.name,
        distinct_id: 'logsift',
        timestamp: new Date(event.timestamp).toISOString(),
        // Daemon events are not about a person: no person profile for them.
        properties: { ...event.properties, $process_person_profile: false },
      })),
    });
    const url = `${this.endpoint.replace(/\/+$/, '')}/batch/`;
    let reason = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      const timeout = attemptSignal(this.timeoutMs);
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: timeout.signal });
        await response.arrayBuffer();
        if (response.ok) {
          this.#metrics.eventsSent.inc({ exporter: this.settings.id }, events.length);
          return;
        }
        reason = `HTTP ${response.status}`;
      } catch (error) {
        reason = (error as Error).message;
      } finally {
        timeout.done();
      }
    }
    this.#metrics.eventsFailed.inc({ exporter: this.settings.id }, events.length);
    this.settings.logger.warn({ events: [...new Set(events.map((e) => e.name))], count: events.length, reason }, 'could not send events to PostHog');
  }

  async shutdown(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.allSettled([...this.#pending]);
  }
}
