// CORS in the Collector's keys: which origins, methods and headers a preflight allows, what a real request's
// answer names, and that anything else gets no CORS headers (so a browser refuses it).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CorsPolicy } from '../../security/cors.js';

function ask(port: number, method: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: '/v1/logs', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CORS', () => {
  const policy = new CorsPolicy({ allowed_origins: ['https://app.example.com', 'https://*.shop.test'], allowed_headers: ['X-Tenant'], max_age: 600 }, ['POST'], ['if-none-match'], ['ETag']);
  let server: http.Server;
  let port = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      if (policy.preflight(req, res)) return;
      policy.decorate(req, res);
      req.resume();
      res.writeHead(200, { etag: '"v1"' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it('matches origins exactly or by their wildcard, whatever the case', () => {
    assert.ok(policy.allows('https://app.example.com'));
    assert.ok(policy.allows('https://eu.shop.test'));
    assert.ok(policy.allows('HTTPS://A.B.SHOP.TEST'));
    assert.ok(!policy.allows('http://app.example.com'), 'another scheme is another origin');
    assert.ok(!policy.allows('https://app.example.com.evil.test'));
    assert.ok(!policy.allows('https://shop.test'), 'the wildcard stands where it is written');
    assert.ok(new CorsPolicy({ allowed_origins: ['*'] }, ['POST']).allows('http://anything:8080'));
  });

  it('answers an allowed preflight with the origin, the method, the headers asked for and the max age', async () => {
    const answer = await ask(port, 'OPTIONS', { origin: 'https://eu.shop.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-tenant, if-none-match' });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers['access-control-allow-origin'], 'https://eu.shop.test');
    assert.equal(answer.headers['access-control-allow-methods'], 'POST');
    assert.equal(answer.headers['access-control-allow-headers'], 'content-type, x-tenant, if-none-match');
    assert.equal(answer.headers['access-control-max-age'], '600');
  });

  it('gives a preflight from another origin, for another method or with a header not allowed, no CORS headers', async () => {
    const refused: Array<Record<string, string>> = [
      { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    ];
    for (const headers of refused) {
      const answer = await ask(port, 'OPTIONS', headers);
      assert.equal(answer.status, 204);
      assert.equal(answer.headers['access-control-allow-origin'], undefined, JSON.stringify(headers));
    }
  });

  it('names an allowed origin on the answer to its request and exposes what it may read; others get nothing', async () => {
    const allowed = await ask(port, 'POST', { origin: 'https://app.example.com' });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(allowed.headers['access-control-expose-headers'], 'ETag');
    assert.equal(allowed.headers.vary, 'Origin');
    const other = await ask(port, 'POST', { origin: 'https://evil.test' });
    assert.equal(other.status, 200, 'the server still answers; the browser withholds it');
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const plain = await ask(port, 'OPTIONS', {});
    assert.equal(plain.status, 200, 'an OPTIONS that is no preflight is the server\'s own business');
  });
});
