// The analysis as a person reads it in a terminal: per service, one block of what was seen, kept, lost and
// saved, the what-ifs side by side, then its costliest patterns.
import type { Savings } from './billing.js';
import type { ServiceAnalysis } from './analysis.js';
import type { WhatIf } from './what_if.js';
import { bytes, count, percent } from './number_format.js';

export interface AnalysisReport {
  input: { file: string; format: string; records: number; records_kept: number; bad_lines: number; lines_with_time?: number };
  vendor: { label: string; source: string; read: string; caveats: string[]; retention_days: number };
  services: ServiceAnalysis[];
  what_if?: WhatIf[];
  /** Settings that would leave optional attributes off kept records (none when they already are). */
  attribute_options?: string[];
}

const money = (n: number | null) => (n === null ? '—' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);


/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function costLine(label: string, s: Savings): string {
  return `${label}: ${money(s.without)} without logsift, ${money(s.with)} with it, ${money(s.saved)} saved`;
}

export function analysisTables(report: AnalysisReport): string {
  const out: string[] = [];
  const { input, vendor } = report;
  out.push(`${input.file} (${input.format}): ${count(input.records)} records, ${count(input.records_kept)} kept${input.bad_lines ? `, ${input.bad_lines} bad lines` : ''}`);
  if (input.lines_with_time === 0) out.push('no line carried a time: they were spread evenly over --span');
  out.push(`prices: ${vendor.label} — ${vendor.source} (read ${vendor.read}); retention ${vendor.retention_days} days`);
  for (const caveat of vendor.caveats) out.push(`  note: ${caveat}`);
  for (const s of report.services) {
    out.push('', `== ${s.service}`);
    out.push(
      table(
        ['', 'seen', 'kept', 'share kept'],
        [
          ['records', count(s.records_seen), count(s.records_kept), percent(s.records_seen === 0 ? 0 : s.records_kept / s.records_seen)],
          ['bytes (protobuf)', bytes(s.bytes_seen), bytes(s.bytes_kept), percent(1 - s.reduction)],
          ['ERROR and above', count(s.errors_seen), count(s.errors_kept), percent(s.errors_seen === 0 ? 1 : s.errors_kept / s.errors_seen)],
          ['pattern-windows', count(s.pattern_windows), count(s.pattern_windows_kept), percent(s.pattern_windows === 0 ? 1 : s.pattern_windows_kept / s.pattern_windows)],
          [`records of ${s.anomalies} anomalies`, count(s.incident_records), count(s.incident_records_kept), percent(s.incident_records === 0 ? 1 : s.incident_records_kept / s.incident_records)],
        ],
      ),
    );
    out.push(`boosts kept ${count(s.boosted.records)} records (${bytes(s.boosted.bytes)}) beyond the policy`);
    // Where logsift's attributes are a third of what is kept or more, say so and how to shed them.
    if (s.bytes_kept > 0 && s.added_bytes_estimate / s.bytes_kept >= 1 / 3) {
      const shed = report.attribute_options?.length ? `; to shed them: ${report.attribute_options.join(', ')}` : '';
      out.push(`about ${bytes(s.added_bytes_estimate)} (${percent(s.added_bytes_estimate / s.bytes_kept)}) of the bytes kept are logsift's own attributes${shed}`);
    }
    out.push(costLine('this span', s.cost_span));
    out.push(costLine('a month at this pace', s.cost_month_at_this_pace));
    const p = s.projection;
    if (p) {
      const interval = p.bytes_interval ? ` (${bytes(p.bytes_interval[0])}–${bytes(p.bytes_interval[1])})` : '';
      const check = p.backtest ? `; each of the last ${p.backtest.days} days predicted from the ones before: p50 error ${percent(p.backtest.p50_error)}, p90 ${percent(p.backtest.p90_error)}` : '';
      out.push(`the next ${p.days} days, projected from ${p.from} to ${p.to}${p.weekly_pattern ? ' with its weekly cycle' : ''}: ${bytes(p.bytes_seen)} seen${interval}, ${bytes(p.bytes_kept)} kept, ${money(p.cost_without)} without logsift, ${money(p.cost_with)} with it${check}`);
    }
    const choices = (report.what_if ?? []).flatMap((w) => w.services.filter((x) => x.service === s.service).map((x) => ({ w, x })));
    if (choices.length > 1) {
      const share = (kept: number, of: number) => `${count(kept)}/${count(of)}`;
      out.push(
        '',
        table(
          ['what if', 'records kept', 'bytes kept', 'ERROR kept', 'pattern-windows', 'incident records', 'boosts', 'this span', 'policy'],
          choices.map(({ w, x }) => [
            w.name,
            `${count(x.records_kept)} (${percent(x.records_seen === 0 ? 0 : x.records_kept / x.records_seen)})`,
            bytes(x.bytes_kept),
            share(x.errors_kept, x.errors_seen),
            share(x.pattern_windows_kept, x.pattern_windows),
            share(x.incident_records_kept, x.incident_records),
            count(x.boosted.records),
            money(x.cost_span.with),
            w.label,
          ]),
        ),
      );
      for (const { w } of choices) for (const note of w.notes.filter((n) => n.startsWith(`${s.service}: `))) out.push(`  ${w.name}: ${note.slice(s.service.length + 2)}`);
    }
    out.push(
      '',
      table(
        ['pattern', 'records', 'bytes', 'share', 'errors', 'trend', 'kept', 'template'],
        s.patterns.map((p) => [
          p.pattern_id,
          count(p.records),
          bytes(p.bytes),
          percent(p.share),
          percent(p.error_share),
          p.trend === null ? '—' : `${p.trend >= 0 ? '+' : ''}${percent(p.trend)}`,
          percent(p.kept_share),
          (p.template ?? '').slice(0, 80),
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
