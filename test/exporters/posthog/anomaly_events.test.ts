// Anomalies and the sampling ledger reach PostHog as events through /batch/ when the posthog exporter is
// configured: a spike in a running daemon (fake clock for the windows) opens an anomaly, and the stand-in
// receives the event; every closed window's ledger arrives too, and its counts are what was sent.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { fakeClock } from '../../support/fake_clock.js';
import { PosthogStandin } from '../../support/posthog_standin.js';

describe('anomaly events to PostHog', () => {
  const standin = new PosthogStandin();
  const { fake, clock } = fakeClock();
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(
      `${OTLP_RECEIVER}processors:
  signature:
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m }
exporters:
  posthog: { endpoint: "${await standin.start()}", api_key: phc_events }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [posthog] }
`,
      { clock },
    );
  });
  after(async () => {
    await d.stop();
    await standin.stop();
  });

  async function post(count: number): Promise<void> {
    const logRecords = Array.from({ length: count }, (_, i) => ({ body: { stringValue: `cache miss for key product:${i}` }, severityNumber: 9 }));
    const res = await fetch(d.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeLogs: [{ logRecords }] }] }),
    });
    assert.equal(res.status, 200);
  }

  it('sends "logsift anomaly opened" with the anomaly as properties', async () => {
    for (let m = 0; m < 8; m++) {
      await post(30);
      fake.tick(60_000);
    }
    await post(600);
    fake.tick(60_000);
    await post(30); // the first batch of the next window judges the spike
    while (!standin.events.some((e) => e.event === 'logsift anomaly opened')) await once(standin, 'event');
    const event = standin.events.find((e) => e.event === 'logsift anomaly opened');
    assert.equal(event!.event, 'logsift anomaly opened');
    assert.equal(event!.api_key, 'phc_events');
    assert.equal(event!.distinct_id, 'logsift');
    assert.equal(event!.properties.kind, 'spike');
    assert.equal(event!.properties.service, 'shop');
    assert.equal(event!.properties.observed, 600);
    assert.equal(event!.properties.$process_person_profile, false);
    assert.ok(!Number.isNaN(Date.parse(event!.timestamp!)));
  });

  it('sends each closed window\'s sampling ledger, one event per window and service, counting what was sent', async () => {
    fake.tick(10_000); // the ledger's flush
    while (standin.events.filter((e) => e.event === 'logsift sampling ledger').length < 9) await once(standin, 'event');
    const ledgers = standin.events.filter((e) => e.event === 'logsift sampling ledger');
    assert.deepEqual(ledgers.map((e) => e.properties.seen), [30, 30, 30, 30, 30, 30, 30, 30, 600], 'the nine closed windows, in order');
    for (const e of ledgers) {
      assert.equal(e.properties.service, 'shop');
      const patterns = e.properties.patterns as Array<{ seen: number; kept: number; dropped: number }>;
      assert.equal(patterns.length, 1);
      assert.equal(patterns[0]!.seen, patterns[0]!.kept + patterns[0]!.dropped);
      assert.equal(e.properties.kept, patterns[0]!.kept);
    }
    assert.ok((ledgers[7]!.properties.kept as number) < 30, `calm windows are sampled: ${ledgers.map((e) => e.properties.kept)}`);
    // Found as it arrived: its window kept far more than a calm one — the spike's excess, as far as the
    // boost's bucket (sixty windows of the policy's keeps) reaches.
    const spikeKept = ledgers[8]!.properties.kept as number;
    assert.ok(spikeKept > 3 * (ledgers[7]!.properties.kept as number) && spikeKept < 600, `the spike window kept ${spikeKept}`);
  });
});
