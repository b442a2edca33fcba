// `logsift anomaly scan --csv FILE`: the rate detector over a `timestamp,value` series (value = count per
// interval), one JSON object per detection — for tuning the detector on historical metrics.
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { anomalyProcessorFactory, detectorOptions, type AnomalyConfig } from '../processors/anomaly/factory.js';
import { detect } from '../processors/anomaly/detector.js';
import { RateTable } from '../processors/ratestats/rate_table.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';

// Each row is one window; the table's clock counts rows, not seconds.
const ROW = 1000;

export function anomalyScanCommand(options: { csv: string; config?: string }): number {
  let config: AnomalyConfig = anomalyProcessorFactory.defaultConfig();
  if (options.config) {
    const loaded = loadConfigFile(options.config, builtinRegistry(), process.env);
    if (!loaded.ok) {
      printConfigErrors(options.config, loaded);
      return 1;
    }
    const entry = [...loaded.config.processors.values()].find((p) => p.type === 'anomaly');
    if (entry) config = entry.config as AnomalyConfig;
  }
  let text: string;
  try {
    text = readFileSync(options.csv, 'utf8');
  } catch (error) {
    process.stderr.write(`cannot read ${options.csv}: ${(error as Error).message}\n`);
    return 1;
  }
  const rows: Array<{ timestamp: string; value: number }> = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const [timestamp, value] = line.split(',').map((c) => c.trim());
    const n = Number(value);
    if (timestamp === undefined || value === undefined || !Number.isFinite(n) || n < 0) {
      // A header line is fine; anything else is reported with its line number.
      if (i > 0 || Number.isFinite(Number(value))) problems.push(`line ${i + 1}: expected timestamp,count but got "${line.slice(0, 80)}"`);
      return;
    }
    rows.push({ timestamp, value: Math.round(n) });
  });
  if (problems.length > 0) {
    process.stderr.write(`${options.csv}: ${problems.length} bad line(s):\n${problems.slice(0, 20).map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const table = new RateTable({ windowMs: ROW, ewmaAlpha: 0.2, history: 60, maxSeries: 10 });
  const detector = detectorOptions(config);
  rows.forEach((row, i) => {
    if (row.value > 0) table.record('csv', 'series', 'INFO', 0, i * ROW, row.value);
    table.advance((i + 1) * ROW);
    for (const f of detect(table.series(), i * ROW, detector, false)) {
      process.stdout.write(`${JSON.stringify({ timestamp: row.timestamp, score: f.score, kind: f.kind, observed: f.observed, expected: f.expected })}\n`);
    }
  });
  return 0;
}
