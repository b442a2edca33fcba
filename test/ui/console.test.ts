// The web console in a real browser (headless Chromium) against a real daemon: traffic from the OTel SDK and
// from OTLP clients (steady orders, then a release and a spike that opens an alert), the daemon on a fake
// clock so its windows close when the test says. Every page loads without a console error and shows the
// numbers its API returns; a policy is edited, replayed, applied and rolled back through the page; an alert
// is snoozed; the live stream moves the overview. Screenshots of each page go to test-artifacts/console/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../support/chromium.js';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { sdkExporter, sdkProvider, SeverityNumber } from '../support/otel_clients.js';
import { alertsDaemonConfig, sendOrders, steadyThenSpike } from '../support/alert_daemon.js';

const W = 60_000;
const ARTIFACTS = 'test-artifacts/console';

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const count = (n: number) => counts.format(n);
const percent = (n: number) => `${(n * 100).toFixed(1)}%`;

function consoleConfig(): string {
  // The alert tests' daemon (signature → ratestats → anomaly → sampler, alerts with a 10 s group wait), with
  // the tuner (rules, rounds far apart so the test's own edits are what changes) and the console, priced.
  return alertsDaemonConfig(['group_wait: 10s'])
    .replace('extensions:\n', 'extensions:\n  tuner: { provider: rules, interval: 24h }\n  console: { vendor: datadog }\n')
    .replace('extensions: [alerts]', 'extensions: [alerts, tuner, console]');
}

describe('web console', () => {
  const { fake, clock } = fakeClock();
  let daemon: TestDaemon;
  let browser: Browser;
  let base: string;
  const consoleErrors: string[] = [];

  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${base}${path}`, init);
    assert.ok(response.ok, `${path} answered ${response.status}`);
    return (await response.json()) as T;
  };

  async function open(hash: string, ready: string): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${hash}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${hash}: ${String(error)}`));
    await page.goto(`${base}/ui/${hash}`, { waitUntil: 'load' });
    await page.waitForSelector(ready);
    // Every control says what it is to a screen reader: a label, or text, or an aria-label.
    const unlabelled = await page.$$eval('input, select, textarea, button', (controls) =>
      controls
        .filter((c) => (c.tagName === 'BUTTON' ? !(c.textContent?.trim() || c.getAttribute('aria-label')) : !((c as HTMLInputElement).labels?.length || c.getAttribute('aria-label'))))
        .map((c) => c.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unlabelled, [], `${hash}: controls without a label`);
    return page;
  }

  const text = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').trim());

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    fake.setSystemTime(Math.ceil(fake.now / W) * W);
    daemon = await startDaemon(consoleConfig(), { clock });
    base = `http://127.0.0.1:${daemon.telemetryPort}`;
    // A second service through the OpenTelemetry SDK itself.
    const sdk = sdkProvider(sdkExporter('http/protobuf', daemon, false), { 'service.name': 'web' });
    for (let i = 0; i < 120; i++) sdk.logger.emit({ timestamp: new Date(fake.now), body: `GET /products/${i} answered 200 in ${i % 40} ms`, severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
    sdk.logger.emit({ timestamp: new Date(fake.now), body: 'payment provider timed out after 30000 ms', severityNumber: SeverityNumber.ERROR, severityText: 'ERROR' });
    await sdk.flush();
    await sdk.shutdown();
    await steadyThenSpike(daemon, fake);
    await sendOrders(daemon, 40, 11);
    await fake.tickAsync(11_000);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('serves the page gzipped with its own files only, no token needed for them', async () => {
    const response = await fetch(`${base}/ui/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).origin));
    await page.goto(`${base}/ui/`, { waitUntil: 'load' });
    await page.waitForSelector('#kpi-records-seen');
    assert.deepEqual([...new Set(requested)], [base], 'nothing fetched from anywhere but the daemon');
    await page.close();
  });

  it('overview: the API\'s totals, money and exporters, and the live stream moves it', async () => {
    const overview = await api<{ totals: { records_seen: number; records_kept: number; reduction_bytes: number }; money: { saved: number }; exporters: Array<{ exporter: string; status: string }>; services: number }>('/api/v1/overview?minutes=60');
    assert.ok(overview.totals.records_seen > 400, 'the ledger holds the windows the test sent');
    const page = await open('#/overview', '#kpi-records-seen');
    assert.equal(await text(page, '#kpi-records-seen'), count(overview.totals.records_seen));
    assert.equal(await text(page, '#kpi-records-kept'), count(overview.totals.records_kept));
    assert.equal(await text(page, '#kpi-reduction'), percent(overview.totals.reduction_bytes));
    assert.equal(await text(page, '#kpi-saved'), `$${overview.money.saved.toFixed(overview.money.saved < 0.01 ? 4 : 2)}`);
    assert.equal(await text(page, '#kpi-services'), String(overview.services));
    assert.deepEqual(await page.$$eval('#exporters tbody th', (cells) => cells.map((c) => c.textContent)), overview.exporters.map((e) => e.exporter));
    assert.equal(await page.$$eval('#chart-live canvas, #chart-bytes canvas', (c) => c.length), 2, 'both charts drew');
    // Records arrive, a second passes on the daemon's clock: the page shows the counters' new totals.
    await sendOrders(daemon, 25, 40);
    await fake.tickAsync(1_000);
    await fake.tickAsync(1_000);
    const live = await api<{ live: { totals: { accepted: number } } }>('/api/v1/overview');
    await page.waitForFunction((expected: string) => document.querySelector('#live-totals')?.textContent?.includes(expected), {}, `${count(live.live.totals.accepted)} accepted`);
    await page.screenshot({ path: `${ARTIFACTS}/overview.png`, fullPage: true });
    await page.close();
  });

  it('patterns: the API\'s page of patterns, search, and one pattern with its rule and lines', async () => {
    const listed = await api<{ total: number; patterns: Array<{ service: string; id: string; template: string; seen: number; keep_rate: number }> }>('/api/v1/patterns?sort=seen&hours=24&limit=50&offset=0');
    assert.ok(listed.total >= 3);
    const page = await open('#/patterns', '#patterns-table tbody tr');
    assert.deepEqual(
      await page.$$eval('#patterns-table tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-pattern'), r.querySelector('.seen')?.textContent, r.querySelector('.keep-rate')?.textContent])),
      listed.patterns.map((p) => [p.id, count(p.seen), percent(p.keep_rate)]),
    );
    await page.screenshot({ path: `${ARTIFACTS}/patterns.png`, fullPage: true });
    // Search narrows the table to what the API finds for the same words.
    const searched = await api<{ total: number }>('/api/v1/patterns?sort=seen&hours=24&limit=50&offset=0&q=products');
    await page.type('#pattern-search', 'products');
    await page.waitForFunction((n: number) => document.querySelectorAll('#patterns-table tbody tr').length === n && document.querySelector('#pattern-count')?.textContent?.startsWith(`${n} patterns`), {}, searched.total);

    const top = listed.patterns[0]!;
    const detail = await api<{ seen: number; kept: number; keep_rate: number; policy: { rule: string }; samples: { kept: unknown[]; during_anomalies: unknown[] } }>(`/api/v1/patterns/${encodeURIComponent(top.service)}/${encodeURIComponent(top.id)}`);
    const one = await open(`#/patterns/${encodeURIComponent(top.service)}/${encodeURIComponent(top.id)}`, '#pattern-seen');
    assert.equal(await text(one, '#pattern-seen'), count(detail.seen));
    assert.equal(await text(one, '#pattern-kept'), `${count(detail.kept)} (${percent(detail.keep_rate)})`);
    assert.ok((await text(one, '#pattern-rule')).startsWith(detail.policy.rule));
    assert.equal(await one.$$eval('#pattern-samples li', (items) => items.length), detail.samples.kept.length + detail.samples.during_anomalies.length);
    assert.ok(detail.samples.kept.length > 0, 'recent kept lines are shown');
    // The live tail: following, then records of the pattern arrive.
    await one.click('#tail-toggle');
    await one.waitForFunction(() => document.querySelector('#tail-toggle')?.getAttribute('aria-pressed') === 'true');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sendOrders(daemon, 30, 41);
    await one.waitForSelector('#tail-lines li');
    await one.screenshot({ path: `${ARTIFACTS}/pattern.png`, fullPage: true });
    await one.close();
    await page.close();
  });

  it('policies: edit, replay before apply (nothing changes), apply with If-Match, see the diff, roll back', async () => {
    const before = await api<{ version: number; severity_keep: Record<string, number> }>('/api/v1/policies/checkout');
    const page = await open('#/policies/checkout', '#field-severity_keep-INFO');
    await page.focus('#field-severity_keep-INFO');
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.type('0.05');
    await page.click('#replay-button');
    await page.waitForSelector('#verdict, #policy-message');
    assert.equal(await page.$('#policy-message'), null, `no error: ${await page.$eval('#policy-message', (e) => e.textContent).catch(() => '')}`);
    await page.waitForSelector('#verdict #replay-table');
    // The tape's replay judges the edit against the cost target and incident retention: either verdict is shown with its reason.
    assert.match(await text(page, '#verdict h3'), /^Replay before apply: the replay (accepts it|refuses it — .+)$/);
    assert.equal(await page.$$eval('#replay-table tbody tr', (rows) => rows.length), 7);
    assert.equal((await api<{ version: number }>('/api/v1/policies/checkout')).version, before.version, 'a replay changes nothing');
    await page.screenshot({ path: `${ARTIFACTS}/policies.png`, fullPage: true });

    await page.click('#force-apply');
    await page.click('#apply-button');
    await page.waitForFunction(() => document.querySelector('#policy-message')?.textContent === 'Applied.');
    const applied = await api<{ version: number; severity_keep: Record<string, number> }>('/api/v1/policies/checkout');
    assert.equal(applied.version, before.version + 1);
    assert.equal(applied.severity_keep.INFO, 0.05);
    await page.waitForSelector(`#history tr[data-version="${applied.version}"]`);
    assert.match(await text(page, `#history tr[data-version="${applied.version}"] .diff`), /severity_keep\.INFO: .*→\s*0\.05/);

    const previous = before.version;
    const rollback = await page.$(`#history tr[data-version="${previous}"] button`);
    assert.ok(rollback, `version ${previous} offers a rollback`);
    await rollback.click();
    await page.waitForFunction((v: number) => document.querySelector('#policy-message')?.textContent === `Rolled back to version ${v}'s policy.`, {}, previous);
    const rolled = await api<{ version: number; severity_keep: Record<string, number> }>('/api/v1/policies/checkout');
    assert.equal(rolled.version, applied.version + 1);
    assert.deepEqual(rolled.severity_keep, before.severity_keep);
    const history = await api<{ versions: Array<{ version: number; author: string }> }>('/api/v1/policies/checkout/history');
    assert.deepEqual(history.versions.slice(-2).map((v) => v.author), ['user', 'rollback']);
    await page.close();
  });

  it('policies: an apply over a policy changed meanwhile is refused (If-Match), and says so', async () => {
    const page = await open('#/policies/checkout', '#field-first_k_per_window');
    // Someone else changes the policy after the page loaded it.
    const current = await api<Record<string, unknown>>('/api/v1/policies/checkout');
    const answer = await fetch(`${base}/api/v1/policies/checkout?force=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...current, first_k_per_window: 4, reasoning: 'another operator' }) });
    assert.equal(answer.status, 201);
    await page.click('#apply-button');
    await page.waitForFunction(() => document.querySelector('#policy-message')?.textContent?.startsWith('The policy changed since you loaded it'));
    assert.equal((await api<{ first_k_per_window: number }>('/api/v1/policies/checkout')).first_k_per_window, 4, 'the other change stands');
    await page.close();
  });

  it('alerts: the open alert as the engine grouped it, snoozed from the page', async () => {
    const listed = await api<{ open: Array<{ id: string; service: string }> }>('/api/v1/alerts');
    assert.equal(listed.open.length, 1);
    const alert = listed.open[0]!;
    const page = await open('#/alerts', `[data-alert="${alert.id}"]`);
    await page.screenshot({ path: `${ARTIFACTS}/alerts.png`, fullPage: true });
    await page.click(`[data-alert="${alert.id}"] button.snooze`);
    await page.waitForFunction(() => document.querySelector('#alerts-message')?.textContent === 'Snoozed for 1h.');
    const silences = await api<{ silences: Array<{ id: string; matchers: Record<string, string>; state: string; created_by: string }> }>('/api/v1/alerts/silences');
    assert.equal(silences.silences.length, 1);
    assert.deepEqual([silences.silences[0]!.matchers.service, silences.silences[0]!.state, silences.silences[0]!.created_by], [alert.service, 'active', 'console']);
    await page.waitForSelector(`[data-silence="${silences.silences[0]!.id}"]`);
    assert.equal(await text(page, `[data-silence="${silences.silences[0]!.id}"] .state`), 'active');
    // A silence of one's own from the form, then ended from the table.
    await page.type('#silence-service', 'web');
    await page.type('#silence-comment', 'load test');
    await page.click('#new-silence button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#alerts-message')?.textContent === 'Silence added.');
    const mine = (await api<{ silences: Array<{ id: string; matchers: Record<string, string>; comment: string; state: string }> }>('/api/v1/alerts/silences')).silences.find((s) => s.comment === 'load test');
    assert.deepEqual([mine?.matchers, mine?.state], [{ service: 'web' }, 'active']);
    await page.waitForSelector(`[data-silence="${mine!.id}"] button`);
    await page.click(`[data-silence="${mine!.id}"] button`);
    await page.waitForFunction((id: string) => document.querySelector(`[data-silence="${id}"] .state`)?.textContent === 'expired', {}, mine!.id);
    await page.close();
  });

  it('fleet: each service\'s policy hash and the consumers that reported it', async () => {
    const policy = await fetch(`${base}/api/v1/policies/checkout`);
    const hash = (policy.headers.get('etag') ?? '').replaceAll('"', '');
    const report = await fetch(`${base}/api/v1/policies/checkout/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instance: 'sidecar-7', hash, status: 'applied' }) });
    assert.equal(report.status, 204);
    const page = await open('#/fleet', '[data-service="checkout"] table');
    assert.match(await text(page, '[data-service="checkout"] tbody tr'), /sidecar-7\s*applied/);
    assert.match(await text(page, '[data-service="checkout"] h3'), new RegExp(hash));
    await page.screenshot({ path: `${ARTIFACTS}/fleet.png`, fullPage: true });
    await page.close();
  });

  it('no page logged an error (but the 412 the page was meant to meet)', () => {
    assert.deepEqual(consoleErrors.filter((e) => !e.endsWith('the server responded with a status of 412 (Precondition Failed)')), []);
  });
});
