// The HTML savings report in a real browser (headless Chromium): `logsift analyze --html` on two hours of
// traffic with a spike; every chart renders (SVG with drawn lines and bars), every figure on the page is
// the one the JSON report gives, and the page fetches nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../support/chromium.js';
import { runCli } from '../support/cli.js';

const START = Date.UTC(2026, 10, 23, 8, 0, 0);

function traffic(): string {
  const lines: string[] = [];
  for (let m = 0; m < 120; m++) {
    const records: object[] = [];
    const misses = m === 70 ? 1500 : 40;
    for (let i = 0; i < 150; i++) records.push({ t: m * 60_000 + i * 400, severity: 9, body: `GET /api/items/${m * 150 + i} answered 200 in ${i % 50} ms` });
    for (let i = 0; i < misses; i++) records.push({ t: m * 60_000 + ((i * 37) % 60_000), severity: 9, body: `cache miss for key product:${i}:price` });
    if (m % 10 === 0) records.push({ t: m * 60_000 + 30_000, severity: 17, body: `payment ${m} failed: card_declined` });
    const logRecords = records.map((r, i) => {
      const { t, severity, body } = r as { t: number; severity: number; body: string };
      return { timeUnixNano: String(BigInt(START + t) * 1_000_000n), severityNumber: severity, body: { stringValue: body }, traceId: (m * 10_000 + i + 1).toString(16).padStart(32, '0') };
    });
    lines.push(JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeLogs: [{ logRecords }] }] }));
  }
  return `${lines.join('\n')}\n`;
}

describe('HTML savings report', () => {
  let browser: Browser;
  let html: string;
  let report: { services: Array<Record<string, unknown>>; what_if: Array<{ name: string; services: Array<Record<string, unknown>> }> };
  before(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-report-'));
    const input = path.join(dir, 'traffic.jsonl');
    writeFileSync(input, traffic());
    html = path.join(dir, 'report.html');
    const result = await runCli(['analyze', '--input', input, '--vendor', 'datadog', '--json', '--html', html]);
    assert.equal(result.code, 0, result.stderr);
    report = JSON.parse(result.stdout) as typeof report;
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('renders every chart and shows the JSON report\'s figures, fetching nothing', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    assert.deepEqual(requested, [pathToFileURL(html).href], 'nothing but the file itself');
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const drawn = [...(svg?.querySelectorAll('path') ?? [])].filter((p) => (p.getAttribute('d') ?? '').split('L').length > 2).length
          + [...(svg?.querySelectorAll('rect') ?? [])].filter((r) => Number(r.getAttribute('width')) > 0).length;
        return { chart: f.getAttribute('data-chart'), width: box?.width ?? 0, height: box?.height ?? 0, drawn };
      }),
    );
    assert.deepEqual(charts.map((c) => c.chart), ['volume', 'cost', 'kept', 'patterns']);
    for (const c of charts) assert.ok(c.width > 100 && c.height > 20 && c.drawn > 0, `${c.chart}: ${JSON.stringify(c)}`);
    const shown = await page.$$eval('section.service table:not(.what-if) td[data-field]', (cells) => cells.map((c) => [c.getAttribute('data-field')!, c.getAttribute('data-value')!] as [string, string]));
    const [shop] = report.services;
    assert.ok(shown.length >= 16);
    for (const [field, value] of shown) {
      const expected = field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], shop);
      assert.equal(Number(value), expected, `${field} on the page`);
    }
    assert.ok(Number(shown.find(([f]) => f === 'cost_month_at_this_pace.saved')![1]) > 0, 'money saved is shown');
    // The what-ifs side by side: the config's policy and one tuner round, each row its JSON entry's figures.
    const whatIfs = await page.$$eval('table.what-if tr[data-what-if]', (rows) =>
      rows.map((r) => ({ name: r.getAttribute('data-what-if')!, cells: [...r.querySelectorAll('td[data-field]')].map((c) => [c.getAttribute('data-field')!, c.getAttribute('data-value')!] as [string, string]) })),
    );
    assert.deepEqual(whatIfs.map((w) => w.name), report.what_if.map((w) => w.name));
    assert.deepEqual(report.what_if.map((w) => w.name), ['config', 'tuner']);
    for (const row of whatIfs) {
      const entry = report.what_if.find((w) => w.name === row.name)!.services[0]!;
      for (const [field, value] of row.cells) assert.equal(Number(value), field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], entry), `${row.name} ${field}`);
    }
    const embedded = await page.$eval('#logsift-report', (s) => JSON.parse(s.textContent ?? '{}') as unknown);
    assert.deepEqual(embedded, report, 'the embedded report is the JSON one');
    const templates = await page.$$eval('figure[data-chart="patterns"] text title', (titles) => titles.map((t) => t.textContent));
    assert.ok(templates.some((t) => t?.startsWith('cache miss for key product:<*>')), 'templates shown as text, <*> and all');
    await page.close();
  });
});
