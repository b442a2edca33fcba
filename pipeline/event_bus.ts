// Events the daemon's components raise for the outside world (an anomaly opened or closed, a window's
// sampling ledger): processors
// publish, exporters that can carry events (posthog) subscribe. A subscriber that throws is logged by the
// publisher's caller, never allowed to break the processor that published.
export interface DaemonEvent {
  /** e.g. `logsift anomaly opened` */
  name: string;
  /** ms since the epoch */
  timestamp: number;
  properties: Record<string, EventValue>;
}

export type EventValue = string | number | boolean | null | EventValue[] | { [key: string]: EventValue };

export class EventBus {
  readonly #subscribers = new Set<(event: DaemonEvent) => void>();

  subscribe(handler: (event: DaemonEvent) => void): () => void {
    this.#subscribers.add(handler);
    return () => this.#subscribers.delete(handler);
  }

  publish(event: DaemonEvent): void {
    for (const handler of this.#subscribers) {
      try {
        handler(event);
      } catch {
        // A subscriber's own failure is its business (it logs and counts); the publisher carries on.
      }
    }
  }
}
