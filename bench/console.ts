// The web console's costs (issue 18), each beside its baseline in the same run:
//  - render: the overview and the patterns page in headless Chromium, from navigation to the figures and the
//    busiest patterns on screen, on a store of 10,000 patterns (an hour of ledger windows each) beside the
//    same on 10 patterns: the ratio says what the pattern count costs. Several loads each; medians.
//  - bundle: the page's files gzipped, as a browser fetches them.
//  - live: the daemon's CPU (/proc/<pid>/stat) while idle with the console off (the baseline), with it on and
//    nobody watching, and with the overview open and its live stream at 1 Hz — as a share of one core, each
//    after a warm-up.
// Last line: JSON.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../test/support/chromium.js';
import { Store, type LedgerRowData, type PatternRow } from '../store/store.js';
import { startConfigDaemon, type ConfigDaemon } from './daemon_process.js';

const PATTERNS = Number(process.env.BENCH_CONSOLE_PATTERNS ?? 10_000);
const LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 5);
const CPU_SECONDS = Number(process.env.BENCH_CONSOLE_CPU_SECONDS ?? 30);
/** What a daemon does once after start (JIT, the store's first checkpoint) is not what the console costs. */
const WARM_UP_MS = 15_000;
const WINDOW = 60_000;
const SERVICES = 20;

function config(withConsole: boolean): string {
  return `receivers:
  otlp:
    protocols:
      http: { endpoint: "{{HTTP}}" }
processors:
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  tuner: { provider: rules }
${withConsole ? '  console: { vendor: datadog }\n' : ''}service:
  data_dir: "{{DIR}}"
  extensions: [tuner${withConsole ? ', console' : ''}]
  telemetry: { metrics: { address: "{{TELEMETRY}}" }, logs: { level: warn } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`;
}

/**
 * The last hour's ledger windows for `patterns` patterns over 20 services, and one window in each of the 23
 * hours before (what the patterns page's 24-hour span sums); volumes heavy-tailed (a few patterns dominate).
 */
function seed(dir: string, patterns: number): void {
  const store = new Store(path.join(dir, 'logsift.db'), 'normal');
  const now = Date.now();
  const last = Math.floor(now / WINDOW) * WINDOW;
  const catalog: PatternRow[] = [];
  for (let p = 0; p < patterns; p++) {
    catalog.push({ service: `svc-${p % SERVICES}`, id: `p${p.toString(16).padStart(15, '0')}`, template: `request ${p} <*> answered <*> in <*> ms from <*>`, first_seen: last - 3_600_000, last_seen: last, count: 1000, example: `request ${p} GET answered 200 in 12 ms from 10.0.0.1`, shapes: '[]' });
  }
  store.savePatterns(catalog, []);
  const windows = [...Array.from({ length: 23 }, (_, h) => 60 * (24 - h)), ...Array.from({ length: 60 }, (_, i) => 60 - i)];
  for (const w of windows) {
    const rows: LedgerRowData[] = [];
    for (let p = 0; p < patterns; p++) {
      const seen = 1 + Math.floor(2000 / (1 + p) + ((p * 7919 + w * 104729) % 5));
      const kept = Math.max(1, Math.floor(seen * 0.05));
      const errors = p % 50 === 0 ? Math.ceil(seen / 10) : 0;
      rows.push({ window_start: last - w * WINDOW, service: `svc-${p % SERVICES}`, pattern: catalog[p]!.id, seen, kept: Math.max(kept, errors), dropped: seen - Math.max(kept, errors), bytes_seen: seen * 80, bytes_kept: kept * 80, boosted: 0, bytes_boosted: 0, wire_bytes_seen: seen * 120, wire_bytes_kept: kept * 150, wire_bytes_boosted: 0, errors_seen: errors, errors_kept: errors });
    }
    store.addLedger(rows);
  }
  store.close();
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** ms from navigation start until `ready` is on screen, median of LOADS fresh loads. */
async function renderMs(browser: Browser, url: string, ready: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(ready, { timeout: 60_000 });
    times.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  return Math.round(median(times));
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The daemon's CPU over CPU_SECONDS, as a share of one core. */
async function cpuShare(pid: number): Promise<number> {
  const start = cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, CPU_SECONDS * 1000));
  return (cpuSeconds(pid) - start) / CPU_SECONDS;
}

async function withDaemon<T>(patterns: number, withConsole: boolean, run: (daemon: ConfigDaemon) => Promise<T>): Promise<T> {
  const daemon = await startConfigDaemon(config(withConsole), (dir) => seed(dir, patterns));
  try {
    return await run(daemon);
  } finally {
    await daemon.stop();
  }
}

const browser = await launchChromium();
const overviewReady = '#kpi-records-seen, #top-patterns li';
const render: Record<string, { overview_ms: number; patterns_ms: number }> = {};
for (const patterns of [10, PATTERNS]) {
  render[String(patterns)] = await withDaemon(patterns, true, async (daemon) => {
    const base = `http://127.0.0.1:${daemon.telemetryPort}/ui/`;
    return {
      overview_ms: await renderMs(browser, `${base}#/overview`, '#top-patterns li'),
      patterns_ms: await renderMs(browser, `${base}#/patterns`, '#patterns-table tbody tr'),
    };
  });
  console.log(`render with ${patterns} patterns: ${JSON.stringify(render[String(patterns)])}`);
}

const staticDir = 'dist/ui/static';
const bundle: Record<string, number> = {};
for (const name of readdirSync(staticDir)) if (/\.(js|css|html)$/.test(name)) bundle[name] = gzipSync(readFileSync(path.join(staticDir, name)), { level: 9 }).length;
const bundleGzipBytes = Object.values(bundle).reduce((a, b) => a + b, 0);
console.log(`bundle gzipped: ${JSON.stringify(bundle)}`);

const warmUp = () => new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
const idleWithout = await withDaemon(PATTERNS, false, async (daemon) => {
  await warmUp();
  return cpuShare(daemon.pid);
});
const live = await withDaemon(PATTERNS, true, async (daemon) => {
  await warmUp();
  const idle = await cpuShare(daemon.pid);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${daemon.telemetryPort}/ui/#/overview`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#top-patterns li', { timeout: 60_000 });
  const watched = await cpuShare(daemon.pid);
  await page.close();
  return { idle, watched };
});
await browser.close();
const summary = {
  bench: 'console',
  machine: `${os.cpus().length} cores`,
  patterns: PATTERNS,
  overview_ms: render[String(PATTERNS)]!.overview_ms,
  overview_ms_10_patterns: render['10']!.overview_ms,
  overview_ratio: Number((render[String(PATTERNS)]!.overview_ms / render['10']!.overview_ms).toFixed(2)),
  patterns_page_ms: render[String(PATTERNS)]!.patterns_ms,
  patterns_page_ms_10_patterns: render['10']!.patterns_ms,
  bundle_gzip_bytes: bundleGzipBytes,
  cpu_idle_console_off: Number(idleWithout.toFixed(4)),
  cpu_idle_console_on: Number(live.idle.toFixed(4)),
  cpu_overview_open_live: Number(live.watched.toFixed(4)),
  live_cost_share_of_core: Number((live.watched - idleWithout).toFixed(4)),
};
console.log(JSON.stringify(summary));
