// The console's server side without a browser's help where none is needed: the ledger rollups it reads agree
// with the ledger (and are rebuilt for a store written before them), its endpoints refuse bad queries
// clearly, its files are answered as a browser needs them; and with `service.auth` the files stay open while
// every figure needs a token — the page asks for one, and with it shows the overview.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Store, type LedgerRowData } from '../../store/store.js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../support/daemon.js';
import { launchChromium } from '../support/chromium.js';

const H = 3_600_000;
const W = 60_000;

function row(window_start: number, service: string, pattern: string, seen: number, errors = 0): LedgerRowData {
  return { window_start, service, pattern, seen, kept: Math.ceil(seen / 10), dropped: seen - Math.ceil(seen / 10), bytes_seen: seen * 10, bytes_kept: seen, boosted: 0, bytes_boosted: 0, wire_bytes_seen: seen * 20, wire_bytes_kept: seen * 3, wire_bytes_boosted: 0, errors_seen: errors, errors_kept: errors };
}

function ledger(): LedgerRowData[] {
  const rows: LedgerRowData[] = [];
  const t0 = 100 * H;
  for (let w = 0; w < 150; w++) {
    rows.push(row(t0 + w * W, 'api', 'a', 10 + (w % 7)));
    if (w % 3 === 0) rows.push(row(t0 + w * W, 'api', 'b', 5, 1));
    rows.push(row(t0 + w * W, 'web', 'c', 2 + (w % 5)));
  }
  return rows;
}

/** OTLP in, signature → sampler, nothing out, the console; `service` adds lines under `service:`. */
const consoleDaemon = (service = '') => `${OTLP_RECEIVER}processors:
  signature: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  console: {}
service:
  extensions: [console]
${service}  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'logsift-console-')), 'logsift.db');

describe('console: ledger rollups', () => {
  it('sum per service-window and per pattern-hour to what the ledger holds, a window added twice included', () => {
    const store = new Store(file(), 'normal');
    const rows = ledger();
    store.addLedger(rows);
    store.addLedger([row(100 * H, 'api', 'a', 4)]); // a window continued after a restart adds up
    const from = 100 * H;
    const to = 103 * H;
    const raw = store.ledger(undefined, from, to);
    const byWindow = store.ledgerBuckets(from, to, W);
    assert.equal(byWindow.length, 150);
    for (const bucket of byWindow) {
      const inWindow = raw.filter((r) => r.window_start === bucket.t);
      assert.deepEqual([bucket.seen, bucket.kept, bucket.bytes_seen, bucket.errors_seen], [
        inWindow.reduce((n, r) => n + r.seen, 0),
        inWindow.reduce((n, r) => n + r.kept, 0),
        inWindow.reduce((n, r) => n + r.wire_bytes_seen, 0),
        inWindow.reduce((n, r) => n + r.errors_seen, 0),
      ]);
    }
    const page = store.ledgerPatternPage({ from, to, sort: 'seen', limit: 2, offset: 0 });
    assert.equal(page.total, 3);
    assert.deepEqual(page.rows.map((r) => [r.service, r.pattern]), [['api', 'a'], ['web', 'c']]);
    for (const r of page.rows) assert.equal(r.seen, raw.filter((x) => x.service === r.service && x.pattern === r.pattern).reduce((n, x) => n + x.seen, 0));
    assert.equal(page.rows[0]!.last_window, 100 * H + 149 * W);
    // A later page still knows how many matched; a search narrows to what matches.
    assert.deepEqual([store.ledgerPatternPage({ from, to, sort: 'seen', limit: 2, offset: 2 }).total, store.ledgerPatternPage({ from, to, sort: 'seen', limit: 2, offset: 5 }).total], [3, 3]);
    assert.deepEqual(store.ledgerPatternPage({ from, to, sort: 'errors_seen', limit: 5, offset: 0, search: 'B' }).rows.map((r) => r.pattern), ['b']);
    // Whole hours: the first hour alone.
    assert.equal(store.ledgerPatternPage({ from, to: from + H, sort: 'seen', limit: 5, offset: 0, service: 'web' }).rows[0]!.seen, raw.filter((r) => r.service === 'web' && r.window_start < from + H).reduce((n, r) => n + r.seen, 0));
    store.close();
  });

  it('are built from the ledger of a store written before they existed', () => {
    const f = file();
    const store = new Store(f, 'normal');
    store.addLedger(ledger());
    const expected = store.ledgerPatternPage({ from: 100 * H, to: 103 * H, sort: 'seen', limit: 10, offset: 0 });
    store.close();
    const db = new Database(f);
    db.exec('DELETE FROM ledger_service_windows; DELETE FROM ledger_pattern_hours;');
    db.close();
    const reopened = new Store(f, 'normal');
    assert.deepEqual(reopened.ledgerPatternPage({ from: 100 * H, to: 103 * H, sort: 'seen', limit: 10, offset: 0 }), expected);
    assert.equal(reopened.ledgerBuckets(100 * H, 103 * H, H).reduce((n, b) => n + b.seen, 0), ledger().reduce((n, r) => n + r.seen, 0));
    reopened.close();
  });
});

describe('console: endpoints and files', () => {
  let daemon: TestDaemon;
  let base: string;
  before(async () => {
    daemon = await startDaemon(consoleDaemon());
    base = `http://127.0.0.1:${daemon.telemetryPort}`;
  });
  after(async () => daemon?.stop());

  it('refuses bad queries with the reason', async () => {
    for (const [route, message] of [
      ['/api/v1/overview?minutes=0', /minutes must be/],
      ['/api/v1/patterns?sort=template', /sort must be one of/],
      ['/api/v1/patterns?limit=5000', /limit must be/],
      ['/api/v1/patterns?hours=1.5', /hours must be/],
      ['/api/v1/patterns/a/b/c/d', /expected/],
      ['/api/v1/patterns/api/nothing', /no pattern nothing of api/],
    ] as const) {
      const response = await fetch(`${base}${route}`);
      assert.ok([400, 404].includes(response.status), `${route}: ${response.status}`);
      assert.match(((await response.json()) as { error: string }).error, message);
    }
    assert.equal((await fetch(`${base}/api/v1/overview`, { method: 'POST' })).status, 405);
  });

  it('answers /ui with a redirect to /ui/, the page with an ETag (304 when unchanged), unknown files 404', async () => {
    const redirect = await fetch(`${base}/ui`, { redirect: 'manual' });
    assert.deepEqual([redirect.status, redirect.headers.get('location')], [308, '/ui/']);
    const page = await fetch(`${base}/ui/`);
    const etag = page.headers.get('etag');
    assert.ok(etag);
    assert.equal((await fetch(`${base}/ui/`, { headers: { 'if-none-match': etag } })).status, 304);
    const script = await fetch(`${base}/ui/app.js`);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${base}/ui/nothing.js`)).status, 404);
  });

  it('streams live figures each second on /api/v1/live', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/v1/live`, { signal: controller.signal });
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: live')) text += (await reader.read()).value ?? '';
    const data = JSON.parse(/event: live\ndata: (.*)\n/.exec(text)![1]!) as { point: { values: Record<string, number> }; totals: Record<string, number> };
    assert.deepEqual(Object.keys(data.point.values).sort(), ['accepted', 'delivery_lost', 'dropped', 'exported', 'kept', 'refused']);
    controller.abort();
  });
});

describe('console with service.auth', () => {
  let daemon: TestDaemon;
  let base: string;
  const TOKEN = 'console-reader-token-0123456789';
  before(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-console-auth-'));
    const tokens = path.join(dir, 'tokens.yaml');
    writeFileSync(tokens, `- { name: reader, token: ${TOKEN}, scopes: [policies:read] }\n`);
    daemon = await startDaemon(consoleDaemon(`  auth: { tokens_file: "${tokens}" }\n`));
    base = `http://127.0.0.1:${daemon.telemetryPort}`;
  });
  after(async () => daemon?.stop());

  it('serves the files without a token, the figures only with one; the page signs in and shows them', async () => {
    assert.equal((await fetch(`${base}/ui/`)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/overview`)).status, 401);
    assert.equal((await fetch(`${base}/api/v1/live`)).status, 401);
    assert.equal((await fetch(`${base}/api/v1/overview`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/ui/#/overview`, { waitUntil: 'load' });
      await page.waitForSelector('#token-input');
      await page.type('#token-input', TOKEN);
      await page.click('.sign-in button[type=submit]');
      await page.waitForSelector('#kpi-records-seen');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('logsift.token')), TOKEN, 'kept in the tab only');
    } finally {
      await browser.close();
    }
  });
});
