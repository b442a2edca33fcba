// `logsift deadletters list|replay|purge`: the batches a backend refused for good, kept in the store's
// dead_letters table — listed, put back in their exporter's queue (sent when the daemon next starts, which
// recovers its queues), or deleted. The store is the one under the config's data_dir (the embedded
// default's without --config).
import path from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfigFile } from '../pipeline/load_config.js';
import { Store, type DeadLetterRow } from '../store/store.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';

interface Selection {
  config?: string;
  exporter?: string;
  all?: boolean;
}

function openStore(file: string | undefined): Store | undefined {
  const loaded = loadConfigFile(file ?? DEFAULT_CONFIG_PATH, builtinRegistry(), process.env);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(file, loaded);
    return undefined;
  }
  return new Store(path.join(loaded.config.settings.dataDir, 'logsift.db'), 'normal');
}

const describe = (row: DeadLetterRow) => `${String(row.id).padStart(6)}  ${row.exporter.padEnd(16)} ${String(row.records).padStart(8)} records  ${new Date(row.failed_at).toISOString()}  ${row.reason}`;

export function deadLettersList(options: Selection & { json?: boolean }): number {
  const store = openStore(options.config);
  if (!store) return 1;
  const rows = store.deadLetters(options.exporter);
  store.close();
  if (options.json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no dead letters${options.exporter ? ` for ${options.exporter}` : ''}\n`);
    return 0;
  }
  process.stdout.write(`${'id'.padStart(6)}  ${'exporter'.padEnd(16)} ${'records'.padStart(16)}  failed at                 reason\n`);
  for (const row of rows) process.stdout.write(`${describe(row)}\n`);
  return 0;
}

/** The ids named, or every dead letter (of one exporter) with --all; nothing named is a usage error. */
function selected(store: Store, ids: readonly string[], options: Selection, verb: string): number[] | undefined {
  if (ids.length > 0 && options.all) {
    process.stderr.write(`name dead letters by id or use --all, not both\n`);
    return undefined;
  }
  if (options.all) return store.deadLetters(options.exporter).map((r) => r.id);
  if (ids.length === 0) {
    process.stderr.write(`which dead letters to ${verb}? name their ids (see \`logsift deadletters list\`) or use --all\n`);
    return undefined;
  }
  const numbers = ids.map(Number);
  const bad = ids.filter((_, i) => !Number.isInteger(numbers[i]) || numbers[i]! <= 0);
  if (bad.length > 0) {
    process.stderr.write(`not a dead letter id: ${bad.join(', ')}\n`);
    return undefined;
  }
  const known = new Set(store.deadLetters(options.exporter).map((r) => r.id));
  const unknown = numbers.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    process.stderr.write(`no dead letter ${unknown.join(', ')}${options.exporter ? ` for ${options.exporter}` : ''}\n`);
    return undefined;
  }
  return numbers;
}

export function deadLettersReplay(ids: readonly string[], options: Selection): number {
  const store = openStore(options.config);
  if (!store) return 1;
  try {
    const chosen = selected(store, ids, options, 'replay');
    if (!chosen) return 1;
    const moved = store.requeueDeadLetters(chosen);
    const records = moved.reduce((n, r) => n + r.records, 0);
    process.stdout.write(`${moved.length} dead letter(s), ${records} records, back in their exporters' queues: the daemon sends them when it next starts\n`);
    return 0;
  } finally {
    store.close();
  }
}

export function deadLettersPurge(ids: readonly string[], options: Selection): number {
  const store = openStore(options.config);
  if (!store) return 1;
  try {
    const chosen = selected(store, ids, options, 'purge');
    if (!chosen) return 1;
    process.stdout.write(`${store.purgeDeadLetters(chosen)} dead letter(s) deleted\n`);
    return 0;
  } finally {
    store.close();
  }
}
