// The control API behind service.auth, on a running daemon: the probes stay open, /metrics too by default;
// every other request needs a bearer token or a JWT with the scope it asks for — 401 without one (or with an
// expired, wrongly signed or unknown one), 403 with too little — and a rotated tokens file takes at once. The
// CLI sends LOGSIFT_TOKEN. RS256 and ES256 JWTs are checked against a public key file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { ControlAuth } from '../../security/control_auth.js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../support/daemon.js';
import { runCli } from '../support/cli.js';
import { fakeClock } from '../support/fake_clock.js';

const SECRET = 'a shared secret of the test, 32+ bytes long';
const TOKENS = { reader: 'reader-token-0123456789', writer: 'writer-token-0123456789', pager: 'pager-token-0123456789', admin: 'admin-token-0123456789' };

function tokensYaml(tokens: Record<string, string>): string {
  const scopes: Record<string, string> = { reader: 'policies:read', writer: 'policies:write', pager: 'alerts:write', admin: 'admin' };
  return Object.entries(tokens).map(([name, token]) => `- { name: ${name}, token: ${token}, scopes: [${scopes[name]}] }`).join('\n');
}

const jwt = (claims: Record<string, unknown>, expires = '5m', secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('ci-bot').setIssuer('https://idp.test').setIssuedAt().setExpirationTime(expires).sign(new TextEncoder().encode(secret));

describe('control API auth', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-auth-'));
  const tokensFile = path.join(dir, 'tokens.yaml');
  // The daemon's clock is fake (its limits refill on it, so the guessing test cannot be outrun by a slow machine).
  const { clock } = fakeClock();
  let daemon: TestDaemon;
  let base: string;
  const call = (method: string, route: string, token?: string, body?: unknown) =>
    fetch(`${base}${route}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  before(async () => {
    writeFileSync(tokensFile, tokensYaml(TOKENS));
    daemon = await startDaemon(`${OTLP_RECEIVER}processors:
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  tuner: {}
  alerts: {}
service:
  extensions: [tuner, alerts]
  auth:
    tokens_file: "${tokensFile}"
    jwt: { secret: "${SECRET}", issuer: "https://idp.test" }
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`, { clock });
    base = `http://127.0.0.1:${daemon.telemetryPort}`;
  });
  after(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the probes and /metrics open', async () => {
    for (const route of ['/healthz', '/readyz', '/metrics']) assert.equal((await call('GET', route)).status, 200, route);
  });

  it('answers 401 without a token, with an unknown one, an expired or wrongly signed JWT', async () => {
    const none = await call('GET', '/api/v1/alerts');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="logsift"/);
    assert.equal((await call('GET', '/api/v1/alerts', 'not-a-token-of-ours-0000')).status, 401);
    const expired = await call('GET', '/api/v1/alerts', await jwt({ scope: 'policies:read' }, '1s ago'));
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { error: string }).error, /expired/);
    assert.equal((await call('GET', '/api/v1/alerts', await jwt({ scope: 'admin' }, '5m', 'another secret, not the daemon one'))).status, 401);
    assert.equal((await call('GET', '/api/v1/alerts', await new SignJWT({ scope: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://elsewhere').setExpirationTime('5m').sign(new TextEncoder().encode(SECRET)))).status, 401, 'another issuer');
  });

  it('answers 403 to too little scope, and lets the right one through', async () => {
    const silence = { matchers: { service: 'checkout' }, duration: '1h', created_by: 'sre', comment: 'test' };
    assert.equal((await call('GET', '/api/v1/alerts', TOKENS.reader)).status, 200);
    const denied = await call('POST', '/api/v1/alerts/silences', TOKENS.reader, silence);
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get('www-authenticate') ?? '', /insufficient_scope", scope="alerts:write"/);
    assert.equal((await call('POST', '/api/v1/alerts/silences', TOKENS.writer, silence)).status, 403, 'policies:write is not alerts:write');
    assert.equal((await call('POST', '/api/v1/alerts/silences', TOKENS.pager, silence)).status, 201);
    assert.equal((await call('POST', '/api/v1/alerts/silences', await jwt({ scope: 'alerts:write policies:read' }), silence)).status, 201, 'a JWT with the scope');
    assert.equal((await call('POST', '/api/v1/policies/checkout/rollback', TOKENS.pager, { version: 1 })).status, 403);
    assert.notEqual((await call('POST', '/api/v1/policies/checkout/rollback', TOKENS.admin, { version: 1 })).status, 403, 'admin may do anything');
  });

  it('keeps an audit log of the writes: who, from where, what, how it ended; admin reads it, nobody deletes it', async () => {
    const read = await call('GET', '/api/v1/audit', TOKENS.admin);
    assert.equal(read.status, 200);
    const entries = ((await read.json()) as { entries: Array<{ subject: string; via: string; address: string; method: string; path: string; status: number; body: string }> }).entries;
    const silences = entries.filter((e) => e.path === '/api/v1/alerts/silences' && e.status === 201);
    assert.deepEqual(silences.map((e) => [e.subject, e.via, e.method]).sort(), [['ci-bot', 'jwt', 'POST'], ['pager', 'token', 'POST']]);
    assert.match(silences[0]!.body, /"created_by":"sre"/);
    assert.match(silences[0]!.address, /127\.0\.0\.1/);
    assert.ok(entries.some((e) => e.subject === 'admin' && e.path === '/api/v1/policies/checkout/rollback'), 'a refused rollback is recorded with its status too');
    assert.ok(!entries.some((e) => e.status === 403 || e.status === 401), 'what auth refused never reached a route');
    assert.equal((await call('GET', '/api/v1/audit', TOKENS.reader)).status, 403);
    assert.equal((await call('DELETE', '/api/v1/audit', TOKENS.admin)).status, 405);
  });

  it('takes a rotated tokens file at once', async () => {
    writeFileSync(tokensFile, tokensYaml({ reader: 'rotated-reader-token-9876543210' }));
    assert.equal((await call('GET', '/api/v1/alerts', TOKENS.reader)).status, 401, 'the old token is gone');
    assert.equal((await call('GET', '/api/v1/alerts', 'rotated-reader-token-9876543210')).status, 200);
  });

  it('the CLI sends LOGSIFT_TOKEN', async () => {
    const without = await runCli(['alerts', 'list', '--endpoint', base]);
    assert.equal(without.code, 1);
    assert.match(without.stderr, /HTTP 401.*\n.*set LOGSIFT_TOKEN/);
    const withToken = await runCli(['alerts', 'list', '--endpoint', base], { LOGSIFT_TOKEN: 'rotated-reader-token-9876543210' });
    assert.equal(withToken.code, 0, withToken.stderr);
  });

  it('limits guessing: past 20 failed authentications from an address, 429 — while a good token still passes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await call('GET', '/api/v1/alerts', `guess-${i}-0123456789abcdef`)).status);
    // (Earlier tests here failed a few times already: the bucket of 20 ran out within these 21.)
    assert.equal(statuses.at(-1), 429);
    assert.ok(statuses.filter((s) => s === 401).length >= 10);
    assert.equal((await call('GET', '/api/v1/alerts', 'rotated-reader-token-9876543210')).status, 200);
  });
});

describe('control API rate limits', { timeout: 60_000 }, () => {
  const { fake, clock } = fakeClock();
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startDaemon(`${OTLP_RECEIVER}exporters:
  nop: {}
extensions:
  alerts: {}
service:
  extensions: [alerts]
  rate_limit: { per_second: 1, burst: 3 }
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [nop] }
`, { clock });
  });
  after(() => daemon?.stop());

  it('answers 429 with Retry-After past a client\'s burst, and again once the bucket refilled; probes are never limited', async () => {
    const get = (route: string) => fetch(`http://127.0.0.1:${daemon.telemetryPort}${route}`);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/api/v1/alerts')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await get('/api/v1/alerts');
    assert.equal(limited.headers.get('retry-after'), '1');
    for (let i = 0; i < 10; i++) assert.equal((await get('/healthz')).status, 200);
    fake.tick(1_000);
    assert.equal((await get('/api/v1/alerts')).status, 200);
  });
});

describe('JWTs signed with a key pair', () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    it(`${alg}: a token signed with the private key passes, one signed with another key does not`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-jwt-'));
      try {
        const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
        const other = await generateKeyPair(alg);
        writeFileSync(path.join(dir, 'key.pem'), await exportSPKI(publicKey));
        const auth = new ControlAuth({ tokens_file: '', jwt: { secret: '', public_key_file: path.join(dir, 'key.pem'), jwks_url: '', issuer: '', audience: 'logsift', algorithms: [alg] }, metrics: 'protected' });
        const sign = (key: CryptoKey | typeof privateKey) => new SignJWT({ scp: ['policies:read'] }).setProtectedHeader({ alg }).setAudience('logsift').setExpirationTime('5m').sign(key);
        assert.equal((await auth.decide('GET', '/metrics', `Bearer ${await sign(privateKey)}`)).kind, 'allowed');
        assert.equal((await auth.decide('GET', '/metrics', `Bearer ${await sign(other.privateKey)}`)).kind, 'unauthenticated');
        assert.equal((await auth.decide('PUT', '/api/v1/policies/x', `Bearer ${await sign(privateKey)}`)).kind, 'forbidden');
        assert.equal((await auth.decide('GET', '/metrics', undefined)).kind, 'unauthenticated', 'metrics: protected');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('JWKS: a token signed with a key the JWKS endpoint publishes passes (found by its kid), one with another key does not', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const other = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    let served = 0;
    const jwks = http.createServer((_req, res) => {
      served += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
      const auth = new ControlAuth({ tokens_file: '', jwt: { secret: '', public_key_file: '', jwks_url: url, issuer: 'https://idp.test', audience: '', algorithms: ['RS256'] }, metrics: 'open' });
      const sign = (key: CryptoKey | typeof privateKey, kid: string) => new SignJWT({ scope: 'alerts:write' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuer('https://idp.test').setSubject('pager-bot').setExpirationTime('5m').sign(key);
      assert.deepEqual(await auth.decide('POST', '/api/v1/alerts/silences', `Bearer ${await sign(privateKey, 'k1')}`), { kind: 'allowed', subject: 'pager-bot', via: 'jwt' });
      assert.equal((await auth.decide('POST', '/api/v1/alerts/silences', `Bearer ${await sign(other.privateKey, 'k1')}`)).kind, 'unauthenticated');
      assert.equal((await auth.decide('POST', '/api/v1/alerts/silences', `Bearer ${await sign(privateKey, 'unknown-kid')}`)).kind, 'unauthenticated');
      assert.ok(served >= 1);
    } finally {
      jwks.close();
    }
  });
});
