// Batching after the acknowledgement point (`sending_queue.batch`), on a fake clock: clients are answered
// when their records are queued, before any batch fills or times out; the queue then sends them together —
// at `min_size` at once, otherwise after `flush_timeout` — never more than `max_size` per request.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Store } from '../../../store/store.js';
import { OTLP_RECEIVER, postBodies, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { fakeClock } from '../../support/fake_clock.js';
import { PosthogStandin } from '../../support/posthog_standin.js';

const config = (host: string) => `${OTLP_RECEIVER}exporters:
  posthog:
    endpoint: ${host}
    api_key: phc_batching
    sending_queue: { num_consumers: 1, persistent: true, batch: { flush_timeout: 200ms, min_size: 35, max_size: 50 } }
service:
  data_dir: "{{DIR}}"
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [posthog] }
`;

let sent = 0;
/** One request of `records` fresh bodies. */
const post = (d: TestDaemon, records: number) => postBodies(d, Array.from({ length: records }, () => `record ${sent++}`));

const recordsPerRequest = (standin: PosthogStandin) =>
  standin.received.map((r) => (r.request.resourceLogs ?? []).reduce((n, rl) => n + (rl.scopeLogs ?? []).reduce((m, sl) => m + (sl.logRecords?.length ?? 0), 0), 0));

/** Event-loop turns: time for a consumer to act on what it was handed, with the fake clock standing still. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('sending_queue.batch: batching after the answer', () => {
  const standin = new PosthogStandin();
  const { fake, clock } = fakeClock();
  let d: TestDaemon;
  let host: string;
  before(async () => {
    host = await standin.start();
    d = await startDaemon(config(host), { clock });
  });
  after(async () => {
    await d.stop();
    await standin.stop();
  });
  afterEach(() => {
    standin.received.length = 0;
  });

  it('answers each client at once, then sends their records as one request after flush_timeout', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await post(d, 10), 200, 'answered with the fake clock standing still');
    await turns(50);
    assert.equal(standin.received.length, 0, 'nothing sent before min_size or flush_timeout');
    fake.tick(200);
    await standin.waitForRecords(30);
    assert.deepEqual(recordsPerRequest(standin), [30]);
  });

  it('sends as soon as min_size records are queued, without waiting for the timeout', async () => {
    for (let i = 0; i < 4; i++) assert.equal(await post(d, 10), 200);
    await standin.waitForRecords(40);
    assert.deepEqual(recordsPerRequest(standin), [40]);
  });

  it('never merges past max_size; a queued batch larger than it goes alone, unsplit', async () => {
    assert.equal(await post(d, 30), 200);
    assert.equal(await post(d, 30), 200);
    assert.equal(await post(d, 60), 200);
    fake.tick(200);
    await standin.waitForRecords(120);
    assert.deepEqual(recordsPerRequest(standin), [30, 30, 60]);
  });

  it('what waits while the backend is busy goes out in full batches, none left behind', async () => {
    let release!: () => void;
    standin.gate = new Promise((resolve) => (release = resolve));
    for (let i = 0; i < 4; i++) assert.equal(await post(d, 10), 200);
    await standin.waitForRecords(40);
    // The consumer is now waiting on the backend's answer; five more batches queue up behind it.
    for (let i = 0; i < 5; i++) assert.equal(await post(d, 10), 200);
    standin.gate = undefined;
    release();
    await standin.waitForRecords(80);
    // The last batch waits for company on the fake clock; move it on in flush-timeout steps until it is sent
    // (when its wait begins depends on real I/O: the answer to the held request and the send after it).
    while (standin.records < 90) {
      fake.tick(200);
      await turns(10);
    }
    assert.deepEqual(recordsPerRequest(standin), [40, 40, 10]);
  });

  it('a persistent queue keeps no row of what was sent together', async () => {
    await d.stop();
    const store = new Store(path.join(d.dir, 'logsift.db'), 'normal');
    try {
      assert.deepEqual(store.pending('posthog'), []);
    } finally {
      store.close();
    }
    d = await startDaemon(config(host), { clock });
  });
});
