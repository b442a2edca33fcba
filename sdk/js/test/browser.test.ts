// The JavaScript SDK in a browser: the core entry (`@logsift/sdk`) reaches no Node module, bundles for the
// browser with its OpenTelemetry dependencies, and in headless Chromium mines every shared vector to the
// daemon's pattern id, samples through configure() and keeps logging with no daemon to reach.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../../../test/support/chromium.js';

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
});
