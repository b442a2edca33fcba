// The savings report as one self-contained HTML file: styles and SVG charts inline (svg_charts.ts), no
// script to run and nothing fetched, so it opens the same anywhere. Per service: what was seen, kept and
// lost, money, the what-ifs side by side, volume and cost over time, kept against dropped, the costliest
// patterns with their templates; then the policy replayed and what it guarantees. The JSON report is embedded as it is
// (`<script type="application/json" id="logsift-report">`) for anyone who wants the numbers.
import type { AnalysisReport } from './analysis_text.js';
import type { ServiceAnalysis } from './analysis.js';
import { barChart, escapeXml, lineChart } from './svg_charts.js';
import type { WhatIf } from './what_if.js';
import { bytes, count } from './number_format.js';

export interface HtmlReport extends AnalysisReport {
  policy: { replayed: unknown; guarantees: string[] };
}

const SEEN = '#8a8f98';
const KEPT = '#1f77b4';
const DROPPED = '#d9d9d9';

const money = (n: number | null) => (n === null ? '—' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);

/** A figure cell carries its field, so what the page shows can be checked against the JSON. */
const cell = (field: string, value: number | null, shown: string) => `<td data-field="${field}" data-value="${value ?? ''}">${escapeXml(shown)}</td>`;

/** The month ahead, where the span held enough whole days to project it (with its backtest). */
function projectionParagraph(s: ServiceAnalysis): string {
  const p = s.projection;
  if (!p) return '';
  const interval = p.bytes_interval ? ` (${bytes(p.bytes_interval[0])}–${bytes(p.bytes_interval[1])})` : '';
  const check = p.backtest ? ` Each of the last ${p.backtest.days} days predicted from the days before it: within ${(p.backtest.p50_error * 100).toFixed(1)}% at p50, ${(p.backtest.p90_error * 100).toFixed(1)}% at p90.` : '';
  return `<p class="projection">The next ${p.days} days, projected from ${escapeXml(p.from)} to ${escapeXml(p.to)}${p.weekly_pattern ? ' with its weekly cycle' : ''}: ${bytes(p.bytes_seen)} seen${interval}, ${bytes(p.bytes_kept)} kept; ${money(p.cost_without)} without logsift, ${money(p.cost_with)} with it.${check}</p>`;
}

/** The what-ifs for one service side by side (cost/what_if.ts). */
function whatIfTable(s: ServiceAnalysis, whatIfs: readonly WhatIf[]): string {
  const rows = whatIfs.flatMap((w) => w.services.filter((x) => x.service === s.service).map((x) => ({ w, x })));
  if (rows.length < 2) return '';
  return `<table class="what-if"><tr><th>what if</th><th>records kept</th><th>bytes kept</th><th>ERROR kept</th><th>pattern-windows kept</th><th>cost, this span</th></tr>
${rows
  .map(
    ({ w, x }) =>
      `<tr data-what-if="${escapeXml(w.name)}"><th title="${escapeXml(w.label)}">${escapeXml(w.name)}</th>${cell('records_kept', x.records_kept, count(x.records_kept))}${cell('bytes_kept', x.bytes_kept, bytes(x.bytes_kept))}${cell('errors_kept', x.errors_kept, `${count(x.errors_kept)}/${count(x.errors_seen)}`)}${cell('pattern_windows_kept', x.pattern_windows_kept, `${count(x.pattern_windows_kept)}/${count(x.pattern_windows)}`)}${cell('cost_span.with', x.cost_span.with, money(x.cost_span.with))}</tr>`,
  )
  .join('\n')}
</table>`;
}

function serviceSection(s: ServiceAnalysis, whatIfs: readonly WhatIf[]): string {
  const times = s.series.map((p) => p.t);
  const volume = lineChart(times, [
    { label: 'bytes seen', color: SEEN, values: s.series.map((p) => p.bytes_seen) },
    { label: 'bytes kept', color: KEPT, values: s.series.map((p) => p.bytes_kept) },
  ], bytes);
  const priced = s.series.every((p) => p.cost_without !== null);
  const cost = priced
    ? lineChart(times, [
        { label: 'cost without logsift', color: SEEN, values: s.series.map((p) => p.cost_without!) },
        { label: 'cost with logsift', color: KEPT, values: s.series.map((p) => p.cost_with!) },
      ], (n) => `$${n.toFixed(2)}`)
    : '<p class="note">No per-GB price for this vendor: set one to see money (PostHog publishes none).</p>';
  const keptBars = barChart(
    [{ label: 'records', segments: [{ value: s.records_kept, color: KEPT, title: `kept ${count(s.records_kept)}` }, { value: s.records_seen - s.records_kept, color: DROPPED, title: `dropped ${count(s.records_seen - s.records_kept)}` }] }],
    count,
  );
  const patterns = barChart(
    s.patterns.map((p) => ({
      label: p.template ?? p.pattern_id,
      segments: [
        { value: Math.round(p.bytes * p.kept_share), color: KEPT, title: `kept ≈ ${bytes(p.bytes * p.kept_share)}` },
        { value: Math.round(p.bytes * (1 - p.kept_share)), color: DROPPED, title: `dropped ≈ ${bytes(p.bytes * (1 - p.kept_share))}` },
      ],
    })),
    bytes,
  );
  const row = (label: string, field: string, seen: number, kept: number, format: (n: number) => string) =>
    `<tr><th>${label}</th>${cell(`${field}_seen`, seen, format(seen))}${cell(`${field}_kept`, kept, format(kept))}</tr>`;
  return `<section class="service" data-service="${escapeXml(s.service)}">
<h2>${escapeXml(s.service)}</h2>
<table class="summary"><tr><th></th><th>seen</th><th>kept</th></tr>
${row('records', 'records', s.records_seen, s.records_kept, count)}
${row('bytes (protobuf)', 'bytes', s.bytes_seen, s.bytes_kept, bytes)}
${row('ERROR and above', 'errors', s.errors_seen, s.errors_kept, count)}
<tr><th>pattern-windows</th>${cell('pattern_windows', s.pattern_windows, count(s.pattern_windows))}${cell('pattern_windows_kept', s.pattern_windows_kept, count(s.pattern_windows_kept))}</tr>
<tr><th>records of ${s.anomalies} anomalies</th>${cell('incident_records', s.incident_records, count(s.incident_records))}${cell('incident_records_kept', s.incident_records_kept, count(s.incident_records_kept))}</tr>
</table>
<table class="money"><tr><th></th><th>without logsift</th><th>with logsift</th><th>saved</th></tr>
<tr><th>this span</th>${cell('cost_span.without', s.cost_span.without, money(s.cost_span.without))}${cell('cost_span.with', s.cost_span.with, money(s.cost_span.with))}${cell('cost_span.saved', s.cost_span.saved, money(s.cost_span.saved))}</tr>
<tr><th>a month at this pace</th>${cell('cost_month_at_this_pace.without', s.cost_month_at_this_pace.without, money(s.cost_month_at_this_pace.without))}${cell('cost_month_at_this_pace.with', s.cost_month_at_this_pace.with, money(s.cost_month_at_this_pace.with))}${cell('cost_month_at_this_pace.saved', s.cost_month_at_this_pace.saved, money(s.cost_month_at_this_pace.saved))}</tr>
</table>
<p>Anomaly boosts kept ${count(s.boosted.records)} records (${bytes(s.boosted.bytes)}) beyond the policy.</p>
${projectionParagraph(s)}
${whatIfTable(s, whatIfs)}
<figure class="chart" data-chart="volume">${volume}<figcaption>Bytes seen and kept over time</figcaption></figure>
<figure class="chart" data-chart="cost">${cost}<figcaption>Cost over time, at the pace of each moment</figcaption></figure>
<figure class="chart" data-chart="kept">${keptBars}<figcaption>Records kept and dropped</figcaption></figure>
<figure class="chart" data-chart="patterns">${patterns}<figcaption>The costliest patterns: bytes kept and dropped</figcaption></figure>
</section>`;
}

export function htmlReport(report: HtmlReport): string {
  const { input, vendor } = report;
  // `</script>` in a template would end the embedded JSON early: its `<` is escaped.
  const embedded = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logsift — what it would save</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 780px; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0; } th, td { padding: 2px 10px; text-align: right; } th:first-child { text-align: left; }
figure { margin: 1em 0; } figcaption { color: #666; font-size: 12px; } .note { color: #a60; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 12px; }
</style></head>
<body>
<h1>What logsift would save</h1>
<p>${escapeXml(input.file)} (${escapeXml(input.format)}): ${count(input.records)} records, ${count(input.records_kept)} kept.</p>
<p>Prices: ${escapeXml(vendor.label)} — ${escapeXml(vendor.source)} (read ${escapeXml(vendor.read)}); retention ${vendor.retention_days} days.</p>
<ul>${vendor.caveats.map((c) => `<li class="note">${escapeXml(c)}</li>`).join('')}</ul>
${report.services.map((s) => serviceSection(s, report.what_if ?? [])).join('\n')}
<section class="policy"><h2>The policy replayed, and what it guarantees</h2>
<ul>${report.policy.guarantees.map((g) => `<li>${escapeXml(g)}</li>`).join('')}</ul>
<pre>${escapeXml(JSON.stringify(report.policy.replayed, null, 2))}</pre></section>
<script type="application/json" id="logsift-report">${embedded}</script>
</body></html>
`;
}
