// Delivery through an outage, on a fake clock: PostHog answers 503 for a stretch, then 429 with
// Retry-After, then recovers. Every record real SDK clients sent arrives, and each retry waited exactly as
// the backoff (or the Retry-After) said. Permanent errors are not retried, are counted and logged once;
// a 413 splits the batch until the halves pass.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import { OTLP_RECEIVER, postBodies, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { fakeClock } from '../../support/fake_clock.js';
import { SeverityNumber, sdkExporter, sdkProvider } from '../../support/otel_clients.js';
import { PosthogStandin } from '../../support/posthog_standin.js';

const config = (host: string) => `${OTLP_RECEIVER}exporters:
  posthog:
    endpoint: ${host}
    api_key: phc_delivery
    # One request per client batch, sent at once: the waits measured are the retries' alone.
    sending_queue: { num_consumers: 1, batch: { enabled: false } }
    retry_on_failure: { initial_interval: 5s, multiplier: 2, randomization_factor: 0, max_interval: 60s, max_elapsed_time: 30m }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [posthog] }
`;

describe('delivery through a backend outage (fake clock)', () => {
  const standin = new PosthogStandin();
  const { fake, clock, timerScheduled } = fakeClock();
  const logs: string[] = [];
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(config(await standin.start()), { clock, logs });
  });
  after(async () => {
    await d.stop();
    await standin.stop();
  });
  afterEach(() => {
    standin.received.length = 0;
    standin.attempts.length = 0;
  });

  it('503s then a 429 with Retry-After: everything arrives, each retry after exactly the promised wait', async () => {
    standin.scripted.push(503, 503, 503, 429);
    // The stand-in notes the fake time of each attempt; the fake clock moves only when the test moves it.
    const attemptTimes: number[] = [];
    const recordAttempt = () => attemptTimes.push(fake.now);
    standin.on('attempt', recordAttempt);
    const client = sdkProvider(sdkExporter('http/protobuf', d, true), { 'service.name': 'outage' });
    for (let i = 0; i < 30; i++) client.logger.emit({ body: `during outage ${i}`, severityNumber: SeverityNumber.INFO });
    await client.flush();
    await client.shutdown();

    const attempts = async (n: number) => {
      while (standin.attempts.length < n) await once(standin, 'attempt');
    };
    try {
      await attempts(1);
      for (let n = 2; n <= 5; n++) {
        await timerScheduled();
        await fake.nextAsync();
        await attempts(n);
      }
    } finally {
      standin.off('attempt', recordAttempt);
    }
    await standin.waitForRecords(30);

    const waits = attemptTimes.slice(1).map((t, i) => t - attemptTimes[i]!);
    assert.deepEqual(waits, [5_000, 10_000, 20_000, 900_000], 'backoff 5s, 10s, 20s, then the 900 s PostHog asked for');
    assert.deepEqual(standin.attempts.map((a) => a.status), [503, 503, 503, 429, 200]);
    const bodies = standin.received.flatMap((r) => r.request.resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!.map((l) => l.body!.stringValue))));
    assert.deepEqual(bodies.sort(), Array.from({ length: 30 }, (_, i) => `during outage ${i}`).sort());
    const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_exporter_retries_total\{exporter="posthog"\} 4/);
  });

  it('401 and 400 are not retried: counted, dead-lettered, and logged once per kind', async () => {
    standin.scripted.push(401, 401, 401, 400);
    for (const batch of ['a', 'b', 'c', 'd']) assert.equal(await postBodies(d, [`${batch}1`, `${batch}2`]), 200);
    const metricsUrl = `http://127.0.0.1:${d.telemetryPort}/metrics`;
    let metrics = '';
    while (!/logsift_exporter_dead_lettered_log_records_total\{exporter="posthog",reason="permanent"\} 8/.test(metrics)) {
      metrics = await (await fetch(metricsUrl)).text();
    }
    assert.equal(standin.attempts.length, 4, 'one attempt per batch, no retries');
    assert.equal(fake.countTimers(), 0, 'no retry is scheduled');
    const reported = logs.filter((l) => l.includes('the backend will not take this batch'));
    assert.equal(reported.length, 2, `one report for the 401s and one for the 400:\n${reported.join('')}`);
    assert.match(reported[0]!, /HTTP 401/);
    assert.match(reported[1]!, /HTTP 400/);
  });

  it('a 413 splits the batch in halves until each part is taken; a single record too large is dead-lettered', async () => {
    standin.scripted.push(413);
    assert.equal(await postBodies(d, ['s1', 's2', 's3', 's4', 's5']), 200);
    await standin.waitForRecords(5);
    assert.deepEqual(standin.attempts.map((a) => a.status), [413, 200, 200]);
    const parts = standin.received.map((r) => r.request.resourceLogs![0]!.scopeLogs![0]!.logRecords!.map((l) => l.body!.stringValue));
    assert.deepEqual(parts, [['s1', 's2'], ['s3', 's4', 's5']]);

    standin.scripted.push(413);
    assert.equal(await postBodies(d, ['alone']), 200);
    const metricsUrl = `http://127.0.0.1:${d.telemetryPort}/metrics`;
    let metrics = '';
    while (!/logsift_exporter_dead_lettered_log_records_total\{exporter="posthog",reason="too_large"\} 1/.test(metrics)) {
      metrics = await (await fetch(metricsUrl)).text();
    }
  });
});
