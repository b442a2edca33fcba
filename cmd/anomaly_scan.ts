// `logsift anomaly scan --csv FILE`: the detector over any `timestamp,value` series — counts per interval
// judged as counts, other numbers on their own scale — one JSON object per finding (an excursion is one).
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../pipeline/load_config.js';
import { anomalyProcessorFactory, detectorOptions, type AnomalyConfig } from '../processors/anomaly/factory.js';
import { scanSeries } from '../processors/anomaly/series_scan.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';

export function anomalyScanCommand(options: { csv: string; config?: string }): number {
  let config: AnomalyConfig = anomalyProcessorFactory.defaultConfig();
  if (options.config) {
    const loaded = loadConfigFile(options.config, builtinRegistry(), process.env);
    if (loaded.kind !== 'loaded') {
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
    if (timestamp === undefined || value === undefined || value === '' || !Number.isFinite(n)) {
      // A header line is fine; anything else is reported with its line number.
      if (i > 0) problems.push(`line ${i + 1}: expected timestamp,value but got "${line.slice(0, 80)}"`);
      return;
    }
    rows.push({ timestamp, value: n });
  });
  if (problems.length > 0) {
    process.stderr.write(`${options.csv}: ${problems.length} bad line(s):\n${problems.slice(0, 20).map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const points = rows.map((row, i) => ({ time: timeOf(row.timestamp) ?? i * 60_000, value: row.value }));
  // Timestamps that do not all parse, or go backwards, leave the points a minute apart in file order.
  const ordered = points.every((p, i) => i === 0 || p.time > points[i - 1]!.time) && rows.every((r) => timeOf(r.timestamp) !== undefined);
  const series = ordered ? points : rows.map((row, i) => ({ time: i * 60_000, value: row.value }));
  for (const f of scanSeries(series, detectorOptions(config))) {
    process.stdout.write(`${JSON.stringify({ timestamp: rows[f.index]!.timestamp, score: f.score, kind: f.kind, observed: f.observed, expected: f.expected })}\n`);
  }
  return 0;
}

/** Epoch seconds or milliseconds, or a date the Date parser reads; undefined otherwise. */
function timeOf(timestamp: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(timestamp)) {
    const n = Number(timestamp);
    return n < 1e11 ? n * 1000 : n;
  }
  const parsed = Date.parse(timestamp);
  return Number.isNaN(parsed) ? undefined : parsed;
}
