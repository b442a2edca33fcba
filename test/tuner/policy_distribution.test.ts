// Policies served to a fleet through the control API, against a real daemon on loopback whose timers run on a
// fake clock: the ETag is the policy's content hash; `?wait=` with If-None-Match holds the answer until a new
// version lands (answered at once) or the wait runs out (304), frees its wait when the consumer hangs up, and
// is refused with a retry hint past `max_open_waits`; consumers report {instance, hash, status, error} and the
// gateway shows each one, with whether it holds the policy in force.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { sampleProtobuf } from '../support/payloads.js';

const CONFIG = `${OTLP_RECEIVER}processors:
  signature: {}
  sampler:
    ledger: { flush_interval: 1h }
exporters:
  nop: {}
extensions:
  tuner:
    provider: rules
    interval: 1h
    distribution: { max_wait: 45s, max_open_waits: 2 }
service:
  data_dir: "{{DIR}}"
  extensions: [tuner]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

describe('policy distribution', () => {
  const { fake, clock, timersHeld } = fakeClock();
  let d: TestDaemon;
  let api: string;
  /** Each long-poll holds one fake timer (the others: the tuner's schedule and watch, the ledger's flush). */
  const timersAbove = (base: number, n: number) => timersHeld(base + n);

  const current = async () => {
    const response = await fetch(`${api}/api`);
    assert.equal(response.status, 200);
    return { etag: response.headers.get('etag')!, policy: (await response.json()) as Record<string, unknown> & { version: number } };
  };

  const change = async (reasoning: string) => {
    const { policy } = await current();
    const response = await fetch(`${api}/api?force=true`, { method: 'POST', body: JSON.stringify({ ...policy, reasoning }) });
    assert.equal(response.status, 201, await response.clone().text());
    return response.headers.get('etag')!;
  };

  before(async () => {
    d = await startDaemon(CONFIG, { clock });
    api = `http://127.0.0.1:${d.telemetryPort}/api/v1/policies`;
    // The sampler meets service "api", so it has a policy in force (the config's, version 0).
    const sent = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: sampleProtobuf(5) as Uint8Array<ArrayBuffer> });
    assert.equal(sent.status, 200);
  });
  after(async () => {
    await d.stop();
  });

  it('names a policy by its content: the same document, the same ETag; a change, another', async () => {
    const first = await current();
    assert.match(first.etag, /^"[0-9a-f]{64}"$/);
    assert.equal((await current()).etag, first.etag);
    const changed = await change('a new reasoning is a new document');
    assert.notEqual(changed, first.etag);
    assert.equal((await current()).etag, changed);
  });

  it('answers a long-poll at once when a new version lands', { timeout: 10_000 }, async () => {
    const before = await current();
    let answered = false;
    const base = fake.countTimers();
    const poll = fetch(`${api}/api?wait=30s`, { headers: { 'if-none-match': before.etag } }).then((r) => ((answered = true), r));
    await timersAbove(base, 1);
    assert.equal(answered, false, 'held while nothing changed');
    const etag = await change('pushed to the fleet');
    // Fake time stands still: only the change can answer it (were it not woken, the test's timeout ends it).
    const response = await poll;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('etag'), etag);
    assert.equal(((await response.json()) as { version: number }).version, before.policy.version + 1);
  });

  it('answers 304 when the wait runs out, and at once when the consumer is behind', async () => {
    const { etag } = await current();
    const base = fake.countTimers();
    const poll = fetch(`${api}/api?wait=30s`, { headers: { 'if-none-match': etag } });
    await timersAbove(base, 1);
    await fake.tickAsync(30_000);
    const response = await poll;
    assert.equal(response.status, 304);
    assert.equal(response.headers.get('etag'), etag);

    // A wait longer than max_wait is cut to it.
    const long = fetch(`${api}/api?wait=10m`, { headers: { 'if-none-match': etag } });
    await timersAbove(base, 1);
    await fake.tickAsync(45_000);
    assert.equal((await long).status, 304);

    const behind = await fetch(`${api}/api?wait=30s`, { headers: { 'if-none-match': '"an older one"' } });
    assert.equal(behind.status, 200, 'a consumer without the policy in force gets it without waiting');
    assert.equal(behind.headers.get('etag'), etag);
  });

  it('lets a wait go when the consumer hangs up, and refuses past max_open_waits with a retry hint', async () => {
    const { etag } = await current();
    const base = fake.countTimers();
    const hangUp = new AbortController();
    const gone = fetch(`${api}/api?wait=30s`, { headers: { 'if-none-match': etag }, signal: hangUp.signal }).catch((error: Error) => error);
    await timersAbove(base, 1);
    hangUp.abort();
    assert.ok((await gone) instanceof Error);
    await timersAbove(base, 0);

    const held = [1, 2].map(() => fetch(`${api}/api?wait=30s`, { headers: { 'if-none-match': etag } }));
    await timersAbove(base, 2);
    const refused = await fetch(`${api}/api?wait=30s`, { headers: { 'if-none-match': etag } });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
    assert.match(metrics, /^logsift_policy_open_waits 2$/m);
    await fake.tickAsync(30_000);
    assert.deepEqual((await Promise.all(held)).map((r) => r.status), [304, 304]);
  });

  it('holds a long-poll for a service it has not met until it has a policy, and refuses a wait that is not a duration', async () => {
    const base = fake.countTimers();
    const poll = fetch(`${api}/later?wait=20s`);
    await timersAbove(base, 1);
    await fake.tickAsync(20_000);
    assert.equal((await poll).status, 404);
    const bad = await fetch(`${api}/api?wait=soon`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /wait must be a duration/);
  });

  it('shows every consumer\'s report, whether it holds the policy in force, and refuses a failure without its reason', async () => {
    const { etag } = await current();
    const hash = etag.slice(1, -1);
    const report = (body: unknown) => fetch(`${api}/api/status`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await report({ instance: 'sidecar-a', hash, status: 'applied' })).status, 204);
    assert.equal((await report({ instance: 'sidecar-b', hash, status: 'applying' })).status, 204);
    const silent = await report({ instance: 'sidecar-c', hash, status: 'failed' });
    assert.equal(silent.status, 400);
    assert.match(((await silent.json()) as { problems: string[] }).problems.join('\n'), /error/);
    const wrong = await report({ instance: 'sidecar-c', hash, status: 'done', extra: 1 });
    assert.equal(wrong.status, 400);
    assert.equal((await report({ instance: 'sidecar-c', hash, status: 'failed', error: 'pattern_keep: unknown pattern id p-1' })).status, 204);
    assert.equal((await report({ instance: 'sidecar-b', hash, status: 'applied' })).status, 204, 'a newer report replaces the older');

    type Listing = { hash: string; summary: Record<string, number>; instances: Array<{ instance: string; status: string; error?: string; current: boolean; reported_at: string }> };
    const listing = (await (await fetch(`${api}/api/status`)).json()) as Listing;
    assert.equal(listing.hash, hash);
    assert.deepEqual(listing.summary, { applied: 2, applying: 0, failed: 1, behind: 0 });
    assert.deepEqual(listing.instances.map((i) => [i.instance, i.status, i.current]), [['sidecar-a', 'applied', true], ['sidecar-b', 'applied', true], ['sidecar-c', 'failed', true]]);
    assert.equal(listing.instances[2]!.error, 'pattern_keep: unknown pattern id p-1');
    assert.equal(listing.instances[0]!.reported_at, new Date(fake.now).toISOString());

    await change('the fleet is behind now');
    const after = (await (await fetch(`${api}/api/status`)).json()) as Listing;
    assert.deepEqual(after.summary, { applied: 0, applying: 0, failed: 0, behind: 3 });
    const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_policy_status_reports_total\{status="applied"\} 2/);
    assert.match(metrics, /logsift_policy_status_reports_total\{status="failed"\} 1/);
  });
});
