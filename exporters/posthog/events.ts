// Daemon events (anomalies) as PostHog events, through `POST {endpoint}/batch/` with the project token in the
// body, as PostHog's capture API takes them. Events are rare and small: each is sent when raised, tried
// twice, and a failure is logged and counted rather than queued.
import type { CreateSettings } from '../../pipeline/component.js';
import type { DaemonEvent } from '../../pipeline/event_bus.js';

export class PosthogEvents {
  readonly #pending = new Set<Promise<void>>();
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly endpoint: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {}

  start(): void {
    this.#unsubscribe = this.settings.events.subscribe((event) => {
      const sending = this.#send(event).finally(() => this.#pending.delete(sending));
      this.#pending.add(sending);
    });
  }

  async #send(event: DaemonEvent): Promise<void> {
    const body = JSON.stringify({
      api_key: this.apiKey,
      batch: [
        {
          event: event.name,
          distinct_id: 'logsift',
          timestamp: new Date(event.timestamp).toISOString(),
          // Anomalies are not about a person: no person profile for them.
          properties: { ...event.properties, $process_person_profile: false },
        },
      ],
    });
    const url = `${this.endpoint.replace(/\/+$/, '')}/batch/`;
    let reason = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.timeoutMs) });
        await response.arrayBuffer();
        if (response.ok) {
          this.settings.telemetry.eventsSent.inc({ exporter: this.settings.id });
          return;
        }
        reason = `HTTP ${response.status}`;
      } catch (error) {
        reason = (error as Error).message;
      }
    }
    this.settings.telemetry.eventsFailed.inc({ exporter: this.settings.id });
    this.settings.logger.warn({ event: event.name, reason }, 'could not send an event to PostHog');
  }

  async shutdown(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.allSettled([...this.#pending]);
  }
}
