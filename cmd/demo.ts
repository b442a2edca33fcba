// `logsift demo`: the daemon on its embedded default (free ports, a temporary data dir), fed by a built-in
// traffic generator, with a live view: records in and kept, the reduction, the top patterns and their rates,
// anomalies as they open, and the lines the retro flush brought back. Without a terminal it prints one JSON
// line a second instead.
import { closeSync, mkdtempSync, openSync, readSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { DEFAULT_CONFIG_PATH, loadConfigFile } from '../pipeline/load_config.js';
import { Daemon } from '../pipeline/daemon.js';
import { Store } from '../store/store.js';
import { freePort } from './free_port.js';
import { builtinRegistry } from './components.js';
import { DemoTraffic } from './demo_traffic.js';
import { printConfigErrors } from './load_config.js';
import { SAMPLE_REASON_ATTRIBUTE } from '../processors/sampler/sample_attributes.js';
import { samplerMetrics } from '../processors/sampler/metrics.js';

const TICK_MS = 250;

async function counterSum(counter: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number> }> }> }, filter: (labels: Record<string, string | number>) => boolean = () => true): Promise<number> {
  return (await counter.get()).values.filter((v) => filter(v.labels)).reduce((n, v) => n + v.value, 0);
}

export async function demoCommand(options: { duration?: string }): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-demo-'));
  const [grpc, http, telemetry] = [await freePort(), await freePort(), await freePort()];
  const env = { ...process.env, LOGSIFT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`, LOGSIFT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`, LOGSIFT_TELEMETRY_ADDRESS: `127.0.0.1:${telemetry}`, LOGSIFT_DATA_DIR: dir };
  const registry = builtinRegistry();
  const loaded = loadConfigFile(DEFAULT_CONFIG_PATH, registry, env);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(undefined, loaded);
    return 1;
  }
  // The daemon's own log goes to a file: the terminal belongs to the view.
  const daemon = new Daemon(loaded.config, registry, { logger: pino({ level: 'info' }, pino.destination(path.join(dir, 'logsift.log'))) });
  await daemon.start();
  const store = new Store(path.join(dir, 'logsift.db'), 'normal');
  const output = path.join(dir, 'logs.jsonl');
  const traffic = new DemoTraffic(180_000, 20_000);
  const tty = process.stdout.isTTY === true;
  const started = Date.now();
  const until = options.duration ? started + Number(options.duration) * 1000 : Number.POSITIVE_INFINITY;
  let incident: string | undefined;
  let readOffset = 0;
  const retroLines: string[] = [];
  let lastCounts = new Map<string, number>();
  let rates = new Map<string, number>();
  let lastRateAt = Date.now();

  const send = async () => {
    const next = traffic.next(Date.now() - started);
    incident = next.incident;
    const byService = new Map<string, object[]>();
    for (const r of next.records) {
      const list = byService.get(r.service) ?? [];
      list.push({ body: { stringValue: r.body }, severityNumber: r.severity, timeUnixNano: String(BigInt(Date.now()) * 1_000_000n) });
      byService.set(r.service, list);
    }
    const body = { resourceLogs: [...byService].map(([service, logRecords]) => ({ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords }] })) };
    await fetch(`http://127.0.0.1:${http}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.arrayBuffer(), () => undefined);
  };

  const readRetro = () => {
    const size = statSync(output, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= readOffset) return;
    const fd = openSync(output, 'r');
    const chunk = Buffer.alloc(size - readOffset);
    readSync(fd, chunk, 0, chunk.length, readOffset);
    closeSync(fd);
    const text = chunk.toString('utf8');
    const complete = text.lastIndexOf('\n') + 1;
    readOffset += Buffer.byteLength(text.slice(0, complete));
    for (const line of text.slice(0, complete).split('\n')) {
      if (!line.includes('"retro"')) continue;
      const request = JSON.parse(line) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body?: { stringValue?: string }; attributes?: Array<{ key: string; value: { stringValue?: string } }> }> }> }> };
      for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs) for (const r of sl.logRecords) {
        if (r.attributes?.some((a) => a.key === SAMPLE_REASON_ATTRIBUTE && a.value.stringValue === 'retro')) retroLines.push(r.body?.stringValue ?? '');
      }
    }
    retroLines.splice(0, Math.max(0, retroLines.length - 5));
  };

  const render = async () => {
    const t = daemon.telemetry;
    const recordsIn = await counterSum(t.receiverAccepted);
    const kept = await counterSum(samplerMetrics(t).decisions, (l) => l.decision !== 'dropped' && l.decision !== 'retro');
    const retro = await counterSum(samplerMetrics(t).decisions, (l) => l.decision === 'retro');
    const boosted = await counterSum(samplerMetrics(t).decisions, (l) => l.decision === 'boost');
    readRetro();
    const patterns = store.patterns().sort((a, b) => b.count - a.count).slice(0, 8);
    if (Date.now() - lastRateAt >= 10_000) {
      const now = Date.now();
      rates = new Map(patterns.map((p) => [p.id, ((p.count - (lastCounts.get(p.id) ?? p.count)) * 1000) / (now - lastRateAt)]));
      lastCounts = new Map(patterns.map((p) => [p.id, p.count]));
      lastRateAt = now;
    }
    const anomalies = store.anomalies();
    const summary = {
      seconds: Math.round((Date.now() - started) / 1000),
      records_in: recordsIn,
      records_kept: kept,
      retro_flushed: retro,
      // Of the kept records, those only an anomaly boost kept (what the boosts cost).
      boosted,
      reduction: recordsIn === 0 ? 0 : Number((1 - (kept + retro) / recordsIn).toFixed(3)),
      anomalies: anomalies.length,
      incident: incident ?? null,
    };
    if (!tty) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    const lines = [
      `logsift demo — ${summary.seconds}s — data in ${dir}   (Ctrl-C to stop)`,
      '',
      `records in ${recordsIn.toLocaleString()}   kept ${kept.toLocaleString()} (boost ${boosted.toLocaleString()})   retro-flushed ${retro.toLocaleString()}   reduction ${(summary.reduction * 100).toFixed(1)}%`,
      `traffic: ${incident ? `\x1b[31m${incident}\x1b[0m` : 'normal'}`,
      '',
      'top patterns (catalog, every 10 s)                                           count    per s',
      ...patterns.map((p) => `  ${`${p.service}: ${p.template}`.slice(0, 72).padEnd(72)} ${String(p.count).padStart(8)} ${(rates.get(p.id) ?? 0).toFixed(1).padStart(8)}`),
      '',
      `anomalies (${anomalies.length})`,
      ...anomalies.slice(-6).map((a) => `  ${a.end ? 'closed' : '\x1b[33mOPEN\x1b[0m  '} ${a.kind.padEnd(11)} ${a.service.padEnd(9)} observed ${a.observed} expected ${a.expected.toFixed(1)} score ${a.score.toFixed(1)}`),
      '',
      'lines brought back by the retro flush',
      ...retroLines.map((l) => `  ${l.slice(0, 100)}`),
    ];
    process.stdout.write(`\x1b[2J\x1b[H${lines.join('\n')}\n`);
  };

  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let lastRender = 0;
  while (!stopping && Date.now() < until) {
    await send();
    if (Date.now() - lastRender >= 1000) {
      await render();
      lastRender = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await render();
  store.close();
  await daemon.stop();
  return 0;
}
