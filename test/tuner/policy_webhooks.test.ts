// Signed webhooks on policy changes, against a real daemon (timers on a fake clock) and a loopback receiver:
// the signature checks out by the Standard Webhooks rule, computed here with node:crypto alone; a 503 with
// Retry-After is retried after exactly that long with the same webhook-id; a 401 fails for good and says why;
// the delivery log shows each; a delivery still pending when the daemon stops is sent at its next start.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { once, EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { sampleProtobuf } from '../support/payloads.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint answering from a script of [status, headers] (200 once the script runs out). */
class Receiver extends EventEmitter {
  readonly received: Received[] = [];
  script: Array<[number, Record<string, string>]> = [];
  readonly #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, headers] = this.script.shift() ?? [200, {}];
      res.writeHead(status, headers).end(status === 401 ? 'bad signature' : '');
      this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      this.emit('request');
    });
  });
  async start(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }
  /** The next request's arrival (on I/O, not time). */
  next(): Promise<Received> {
    const count = this.received.length;
    return new Promise((resolve) => {
      const check = () => (this.received.length > count ? resolve(this.received[count]!) : this.once('request', check));
      check();
    });
  }
  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Standard Webhooks, by hand: base64 HMAC-SHA256 of "id.timestamp.body" under the base64 key after whsec_. */
function signatureValid(received: Received, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${received.headers['webhook-id']}.${received.headers['webhook-timestamp']}.${received.body}`).digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const config = (url: string, dir = '{{DIR}}') => `${OTLP_RECEIVER}processors:
  signature: {}
  sampler:
    ledger: { flush_interval: 1h }
exporters:
  nop: {}
extensions:
  tuner:
    provider: rules
    interval: 1h
    distribution:
      webhooks:
        endpoints: [{ url: "${url}", secret: "${SECRET}" }, { url: "${url}?other", secret: "${SECRET}", services: [somebody-else] }]
        retry: { initial_interval: 1s, max_interval: 10s, max_elapsed_time: 1h }
service:
  data_dir: "${dir}"
  extensions: [tuner]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

describe('policy webhooks', { timeout: 30_000 }, () => {
  const receiver = new Receiver();
  const { fake, clock } = fakeClock();
  let url: string;
  let d: TestDaemon;
  let api: string;

  const start = async (dir?: string) => {
    d = await startDaemon(config(url, dir), { clock });
    api = `http://127.0.0.1:${d.telemetryPort}/api/v1`;
    const sent = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: sampleProtobuf(5) as Uint8Array<ArrayBuffer> });
    assert.equal(sent.status, 200);
  };
  const change = async (reasoning: string) => {
    const policy = (await (await fetch(`${api}/policies/api`)).json()) as Record<string, unknown>;
    const response = await fetch(`${api}/policies/api?force=true`, { method: 'POST', body: JSON.stringify({ ...policy, reasoning }) });
    assert.equal(response.status, 201);
    return { etag: response.headers.get('etag')!, version: ((await response.json()) as { version: number }).version };
  };
  type Delivery = { id: string; url: string; status: string; attempts: number; last_status: number | null; last_error: string | null; version: number; hash: string };
  const deliveries = async (query = '') => ((await (await fetch(`${api}/webhooks/deliveries${query}`)).json()) as { deliveries: Delivery[] }).deliveries;

  /** The pending delivery once its first attempt is recorded (on I/O, not time). */
  const retryScheduled = async () => {
    for (let looks = 0; ; looks++) {
      const [pending] = await deliveries('?status=pending');
      if (pending && pending.attempts >= 1) return pending;
      if (looks > 1000) assert.fail('no retry was scheduled');
    }
  };

  before(async () => {
    url = await receiver.start();
    await start();
  });
  after(async () => {
    await d.stop();
    await receiver.stop();
  });

  it('signs each change by the standard, with the policy and its hash, only to the endpoints that want the service', async () => {
    const arriving = receiver.next();
    const { etag, version } = await change('tell the fleet');
    const received = await arriving;
    assert.ok(signatureValid(received, SECRET), 'the signature verifies with the whsec_ key');
    assert.ok(!signatureValid({ ...received, body: received.body.replace('tell', 'fool') }, SECRET), 'a changed body does not');
    assert.match(String(received.headers['webhook-id']), /^msg_[0-9a-f-]{36}$/);
    assert.equal(received.headers['webhook-timestamp'], String(Math.floor(fake.now / 1000)));
    const body = JSON.parse(received.body) as { type: string; data: { service: string; version: number; hash: string; policy: { reasoning: string } } };
    assert.equal(body.type, 'policy.changed');
    assert.deepEqual([body.data.service, body.data.version, `"${body.data.hash}"`, body.data.policy.reasoning], ['api', version, etag, 'tell the fleet']);
    const log = await deliveries('?service=api');
    assert.equal(log.length, 1, 'the endpoint for somebody-else was not sent this service');
    assert.deepEqual([log[0]!.status, log[0]!.attempts, log[0]!.last_status, log[0]!.id], ['delivered', 1, 200, received.headers['webhook-id']]);
  });

  it('retries a 503 after its Retry-After with the same id, and fails a 401 for good with the reason', async () => {
    receiver.script = [[503, { 'retry-after': '7' }]];
    const first = receiver.next();
    await change('retry me');
    const refused = await first;
    // Recorded pending in the same turn as its retry's timer is set: once the log shows it, the wait is on.
    const pending = await retryScheduled();
    assert.deepEqual([pending.attempts, pending.last_status], [1, 503]);
    const second = receiver.next();
    await fake.tickAsync(6_999);
    assert.equal(receiver.received.at(-1), refused, 'not before Retry-After');
    await fake.tickAsync(1);
    const retried = await second;
    assert.equal(retried.headers['webhook-id'], refused.headers['webhook-id'], 'the same id on every attempt');
    assert.ok(signatureValid(retried, SECRET));

    receiver.script = [[401, {}]];
    const denied = receiver.next();
    await change('refuse me');
    await denied;
    let failed: Delivery | undefined;
    for (let turns = 0; !failed; turns++) {
      if (turns > 1000) assert.fail('the 401 was not recorded');
      failed = (await deliveries('?status=failed'))[0];
    }
    assert.deepEqual([failed.attempts, failed.last_status], [1, 401]);
    assert.match(failed.last_error ?? '', /HTTP 401: bad signature/);
    const [delivered] = (await deliveries('?status=delivered')).filter((x) => x.id === retried.headers['webhook-id']);
    assert.deepEqual([delivered!.attempts, delivered!.last_status], [2, 200]);
    const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_policy_webhooks_total\{outcome="delivered"\} 2/);
    assert.match(metrics, /logsift_policy_webhooks_total\{outcome="retried"\} 1/);
    assert.match(metrics, /logsift_policy_webhooks_total\{outcome="failed"\} 1/);
  });

  it('sends a delivery still pending at shutdown when the daemon starts again', async () => {
    receiver.script = [[503, {}]];
    const first = receiver.next();
    const { version } = await change('across a restart');
    await first;
    await retryScheduled();
    const dir = d.dir;
    await d.daemon.stop();
    const resent = receiver.next();
    await start(dir);
    const again = await resent;
    assert.equal((JSON.parse(again.body) as { data: { version: number } }).data.version, version);
    let row: Delivery | undefined;
    for (let turns = 0; row?.status !== 'delivered'; turns++) {
      if (turns > 1000) assert.fail('the resent delivery was not recorded');
      row = (await deliveries()).find((x) => x.id === again.headers['webhook-id']);
    }
    assert.equal(row.attempts, 2);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a secret that is not a Standard Webhooks key, by its path', async () => {
    await assert.rejects(startDaemon(config(url).replaceAll(SECRET, 'hunter2')), /distribution\.webhooks\.endpoints\.0\.secret: must be whsec_/);
  });
});
