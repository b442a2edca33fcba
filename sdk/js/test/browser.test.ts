// The JavaScript SDK in a browser: the core entry (`@logsift/sdk`) reaches no Node module, bundles for the
// browser with its OpenTelemetry dependencies, and in headless Chromium mines every shared vector to the
// daemon's pattern id, samples through configure() and keeps logging with no daemon to reach; and a page
// served from another origin, with CORS allowed at the daemon, follows its policy, sends what it keeps and
// reports what it dropped, so the counts add up as in Node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../../../test/support/chromium.js';
import { startDaemon } from '../../../test/support/daemon.js';
import { attr, readFileExport } from '../../../test/support/file_output.js';
import { SDK_DAEMON_CONFIG, putStaticPolicy } from '../../../test/support/sdk_app.js';
import { Store } from '../../../store/store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdk = path.resolve(here, '..');
const out = path.resolve(here, '../../../test-artifacts/sdk-browser');

/** Every module the entry loads, following its static imports within dist. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"([^"]+)"/g)].map((m) => m[1]!);
    graph.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('./')) visit(path.join(path.dirname(file), s));
  };
  visit(entry);
  return graph;
}

const PAGE_SCRIPT = `
import { configure, SourceSampler } from '@logsift/sdk';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';

window.runLogsift = async (vectors) => {
  const sampler = new SourceSampler();
  const mismatches = vectors.filter((v) => {
    const d = sampler.decide({ service: v.service, body: v.body, timeMs: 0, severityNumber: 17 });
    return d.patternId !== v.id || d.template !== v.template;
  }).length;
  const exporter = new InMemoryLogRecordExporter();
  const problems = [];
  const logsift = configure({ service: 'web', endpoint: 'http://127.0.0.1:9', exporter, waitSeconds: 1, reportIntervalMs: 50, onError: (e) => problems.push(e) });
  const start = Date.now() - 120000;
  for (let i = 0; i < 2000; i++) {
    logsift.logger.emit({ body: 'GET /api/items/' + i + ' 200 ' + (i % 50) + 'ms', severityNumber: i % 100 === 0 ? 17 : 9, timestamp: start + i * 60 });
  }
  await logsift.provider.forceFlush();
  const kept = exporter.getFinishedLogRecords().length;
  await logsift.shutdown();
  return { mismatches, kept, problems: problems.length };
};
`;

// A page of a shop on its own origin: the SDK follows the daemon's policy, logs, and shuts down.
const SHOP_PAGE_SCRIPT = `
import { configure } from '@logsift/sdk';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';

window.runShop = async ({ endpoint, otlp, records }) => {
  const versions = [];
  const problems = [];
  let told;
  const policy = new Promise((resolve) => (told = resolve));
  const logsift = configure({ service: 'web-shop', endpoint, exporter: new OTLPLogExporter({ url: otlp }), waitSeconds: 5, reportIntervalMs: 200,
    onPolicy: (p) => { versions.push(p.version); told(); }, onError: (e) => problems.push(e) });
  // Bounded, so a daemon the page cannot reach fails the test's checks instead of its timeout.
  await Promise.race([policy, new Promise((resolve) => setTimeout(resolve, 20000))]);
  for (let i = 0; i < records; i++) {
    logsift.logger.emit({ body: i % 10 === 0 ? 'payment ' + i + ' failed: card_declined' : 'viewed product ' + i + ' in ' + (i % 90) + 'ms', severityNumber: i % 10 === 0 ? 17 : 9, attributes: { n: i } });
  }
  await logsift.shutdown();
  return { versions, problems };
};
`;

const ALLOW_PAGES = 'cors: { allowed_origins: ["http://127.0.0.1:*"] }';

describe('the JavaScript SDK in a browser', () => {
  let browser: Browser | undefined;
  before(() => {
    execFileSync(process.execPath, [path.join(sdk, 'build.js')], { stdio: 'inherit' });
    mkdirSync(out, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  it('the core entry loads no Node module', () => {
    const graph = importGraph(path.join(sdk, 'dist', 'index.js'));
    const external = [...graph.values()].flat().filter((s) => !s.startsWith('./'));
    assert.deepEqual(external.filter((s) => s.startsWith('node:')), []);
    assert.ok(external.every((s) => s.startsWith('@opentelemetry/')), external.join(', '));
  });

  it('bundled for the browser, it mines every shared vector as the daemon does and samples with no daemon to reach', async () => {
    writeFileSync(path.join(out, 'page.js'), PAGE_SCRIPT);
    await build({ entryPoints: [path.join(out, 'page.js')], outfile: path.join(out, 'bundle.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', alias: { '@logsift/sdk': path.join(sdk, 'dist', 'index.js') }, nodePaths: [path.resolve(here, '../../../node_modules')], logLevel: 'warning' });
    const vectors = readFileSync(path.resolve(here, '../../vectors/patterns.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    browser = await launchChromium();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.setContent('<!doctype html><title>logsift in a browser</title>');
    await page.addScriptTag({ path: path.join(out, 'bundle.js') });
    const result = await page.evaluate((v) => (window as unknown as { runLogsift(v: unknown[]): Promise<{ mismatches: number; kept: number; problems: number }> }).runLogsift(v), vectors);
    assert.deepEqual(pageErrors, []);
    assert.equal(result.mismatches, 0, `pattern ids in the browser differ from the daemon's on ${result.mismatches} of ${vectors.length} vectors`);
    assert.ok(result.kept >= 20 && result.kept < 2000, `errors and a share of the rest kept (${result.kept})`);
    assert.ok(result.problems > 0, 'the unreachable daemon is told to onError, never thrown');
  });

  it('a page on another origin, with CORS allowed at the daemon, follows the policy, sends what it keeps and reports what it dropped', async () => {
    const config = SDK_DAEMON_CONFIG.replace('http: { endpoint: "{{HTTP}}" }', `http: { endpoint: "{{HTTP}}", ${ALLOW_PAGES} }`).replace('telemetry: { metrics: { address: "{{TELEMETRY}}" } }', `telemetry: { metrics: { address: "{{TELEMETRY}}" }, ${ALLOW_PAGES} }`);
    assert.notEqual(config, SDK_DAEMON_CONFIG);
    const d = await startDaemon(config);
    const pages = http.createServer((req, res) => {
      if (req.url === '/shop.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(out, 'shop.js')));
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>shop</title><script src="/shop.js"></script>');
    });
    try {
      writeFileSync(path.join(out, 'shop_page.js'), SHOP_PAGE_SCRIPT);
      await build({ entryPoints: [path.join(out, 'shop_page.js')], outfile: path.join(out, 'shop.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', alias: { '@logsift/sdk': path.join(sdk, 'dist', 'index.js') }, nodePaths: [path.resolve(here, '../../../node_modules')], logLevel: 'warning' });
      await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${d.telemetryPort}`;
      await putStaticPolicy(endpoint, 'web-shop', { UNSPECIFIED: 0.1, TRACE: 0.01, DEBUG: 0.02, INFO: 0.1, WARN: 0.5, ERROR: 1, FATAL: 1 }, 'little of the browsing');
      browser ??= await launchChromium();
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/`);
      const records = 1000;
      const result = await page.evaluate((args) => (window as unknown as { runShop(a: unknown): Promise<{ versions: number[]; problems: string[] }> }).runShop(args), { endpoint, otlp: d.httpUrl, records });
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(result.problems, [], 'the page reached the daemon across origins');
      assert.deepEqual(result.versions, [1], 'the policy set at the daemon reached the page');
      const stats = (await (await fetch(`${endpoint}/api/v1/patterns/stats/web-shop`)).json()) as { seen: number; kept: number };
      assert.equal(stats.seen, records, 'the page reported every record it logged');
      await d.daemon.stop();
      const store = new Store(path.join(d.dir, 'logsift.db'), 'normal');
      const arrived = store.ledger('web-shop').reduce((n, r) => n + r.seen, 0);
      store.close();
      const exported = readFileExport(path.join(d.dir, 'out.jsonl'));
      assert.equal(arrived, stats.kept, 'every record the page kept reached the daemon');
      assert.equal(exported.length, arrived);
      assert.ok(arrived < records / 4, `noise dropped in the browser (${arrived} of ${records} sent)`);
      assert.equal(exported.filter((r) => (r.record.severityNumber ?? 0) >= 17).length, records / 10, 'every error kept');
      assert.ok(exported.every((r) => attr(r.record.attributes, 'logsift.sample_count') !== undefined));
    } finally {
      pages.close();
      await d.stop();
    }
  });
});

