// `logsift patterns mine|list|similar|merges`: the miner and the catalog from the command line.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfigFile, DEFAULT_CONFIG_PATH } from '../pipeline/load_config.js';
import { defaultSignatureConfig, minerFromConfig, type SignatureProcessorConfig } from '../processors/signature/factory.js';
import { mergeSuggestions, nearestPatterns } from '../processors/signature/similar.js';
import type { Pattern } from '../processors/signature/template_miner.js';
import { Store } from '../store/store.js';
import path from 'node:path';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';

interface Loaded {
  signature: SignatureProcessorConfig;
  dataDir: string;
}

/** The first signature processor's settings and the data dir from a config (the embedded default without one). */
function loadSettings(file: string | undefined): Loaded | undefined {
  const loaded = loadConfigFile(file ?? DEFAULT_CONFIG_PATH, builtinRegistry(), process.env);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(file, loaded);
    return undefined;
  }
  const entry = [...loaded.config.processors.values()].find((p) => p.type === 'signature');
  return { signature: (entry?.config as SignatureProcessorConfig | undefined) ?? defaultSignatureConfig(), dataDir: loaded.config.settings.dataDir };
}

export async function mineCommand(options: { input?: string; config?: string; service: string }): Promise<number> {
  const settings = loadSettings(options.config);
  if (!settings) return 1;
  const miner = minerFromConfig(settings.signature);
  const input = options.input ? createReadStream(options.input) : process.stdin;
  const patterns: Pattern[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) patterns.push(miner.add(options.service, line));
  // Ids and templates as they stand after the whole input: early lines resolve to what they generalised into.
  const out: string[] = [];
  for (const p of patterns) {
    const current = p.current;
    out.push(JSON.stringify({ id: current.id, template: current.template }));
    if (out.length >= 4096) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
  return 0;
}

function openCatalog(config: string | undefined): Store | undefined {
  const settings = loadSettings(config);
  return settings ? new Store(path.join(settings.dataDir, 'logsift.db'), 'normal') : undefined;
}

export function listCommand(options: { config?: string; service?: string; json?: boolean }): number {
  const store = openCatalog(options.config);
  if (!store) return 1;
  const rows = store.patterns(options.service);
  store.close();
  if (options.json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no patterns in the catalog${options.service ? ` for ${options.service}` : ''}\n`);
    return 0;
  }
  // For a person: loudest first per service, when it was last seen, and the template (ids for `similar`).
  process.stdout.write(`${'service'.padEnd(16)} ${'count'.padStart(10)}  ${'last seen'.padEnd(20)}  ${'id'.padEnd(16)}  template\n`);
  for (const r of rows) process.stdout.write(`${r.service.padEnd(16)} ${String(r.count).padStart(10)}  ${new Date(r.last_seen).toISOString().slice(0, 19).padEnd(20)}  ${r.id.padEnd(16)}  ${r.template}\n`);
  return 0;
}

export function similarCommand(id: string, options: { config?: string; limit: string }): number {
  const store = openCatalog(options.config);
  if (!store) return 1;
  const catalog = store.patterns();
  store.close();
  const resolved = catalog.some((p) => p.id === id) ? id : undefined;
  if (!resolved) {
    process.stderr.write(`no pattern ${id} in the catalog\n`);
    return 1;
  }
  for (const n of nearestPatterns(catalog, resolved, Number(options.limit))) process.stdout.write(`${JSON.stringify(n)}\n`);
  return 0;
}

export function mergesCommand(options: { config?: string; threshold: string }): number {
  const store = openCatalog(options.config);
  if (!store) return 1;
  const catalog = store.patterns();
  store.close();
  const suggestions = mergeSuggestions(catalog, Number(options.threshold));
  for (const s of suggestions) process.stdout.write(`${JSON.stringify(s)}\n`);
  // Said on stderr, so that stdout stays JSON lines for scripts.
  if (suggestions.length === 0) process.stderr.write(`no near-duplicate patterns at threshold ${options.threshold} (${catalog.length} patterns in the catalog)\n`);
  return 0;
}
