// Overview: what came in, what was kept and dropped, what that saved, and whether delivery is healthy — live.
// Intentional drops (the sampler's decisions) and delivery loss (dead letters, losses) are drawn in different
// colours: the one is the product working, the other a fault.
import { useState } from 'preact/hooks';
import { TimeChart } from '../chart.js';
import { bytes, count, money, percent } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';
import { useApi } from '../use_api.js';
import { Failure, Loading } from '../widgets.js';
import type { Overview, PatternPage } from '../types.js';

export const COLOURS = { accepted: '#0b5cad', kept: '#1a7f37', dropped: '#6e7781', refused: '#9a6700', lost: '#cf222e', boosted: '#8250df', baseline: '#57606a' };

type LiveSeries = Overview['live']['series'];

function appendPoint(series: LiveSeries, point: { t: number; values: Record<string, number> }): LiveSeries {
  const keep = series.t.length >= 600 ? 1 : 0;
  const next = { t: [...series.t.slice(keep), point.t] } as LiveSeries;
  for (const key of ['accepted', 'kept', 'dropped', 'refused', 'exported', 'delivery_lost'] as const) next[key] = [...series[key].slice(keep), point.values[key] ?? 0];
  return next;
}

export function OverviewPage() {
  const overview = useApi<Overview>('/api/v1/overview?minutes=60');
  const top = useApi<PatternPage>('/api/v1/patterns?limit=10&hours=1');
  const [live, setLive] = useState<{ series: LiveSeries; totals: Overview['live']['totals']; queue: number } | undefined>(undefined);
  useLive(
    (event, data) => {
      if (event === 'ledger') {
        overview.refresh();
        top.refresh();
      }
      if (event === 'live' && overview.data) {
        const message = data as { point: { t: number; values: Record<string, number> }; totals: Overview['live']['totals']; queue: number };
        setLive((prev) => ({ series: appendPoint(prev?.series ?? overview.data!.live.series, message.point), totals: message.totals, queue: message.queue }));
      }
    },
    [overview.data],
  );
  if (overview.error) return <Failure message={overview.error} />;
  const o = overview.data;
  if (!o) return <Loading />;
  const series = live?.series ?? o.live.series;
  const totals = live?.totals ?? o.live.totals;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <p class="muted">The last {o.minutes} minutes of the exact ledger, all services; live counters below update every second.</p>
      <dl class="kpis">
        <div><dt>Records seen</dt><dd id="kpi-records-seen">{count(o.totals.records_seen)}</dd></div>
        <div><dt>Records kept</dt><dd id="kpi-records-kept">{count(o.totals.records_kept)}</dd></div>
        <div><dt>Reduction (bytes)</dt><dd id="kpi-reduction">{percent(o.totals.reduction_bytes)}</dd></div>
        <div><dt>Bytes seen → kept</dt><dd id="kpi-bytes">{bytes(o.totals.bytes_seen)} → {bytes(o.totals.bytes_kept)}</dd></div>
        <div><dt>Saved ({o.money.vendor})</dt><dd id="kpi-saved" title={o.money.caveats.join(' ')}>{o.money.saved === null ? 'set a per-GB price' : money(o.money.saved)}</dd></div>
        <div><dt>Errors kept / seen</dt><dd id="kpi-errors">{count(o.totals.errors_kept)} / {count(o.totals.errors_seen)}</dd></div>
        <div><dt>Open anomalies</dt><dd id="kpi-anomalies">{count(o.open_anomalies)}</dd></div>
        <div><dt>Services</dt><dd id="kpi-services">{count(o.services)}</dd></div>
      </dl>
      <TimeChart
        id="chart-live"
        title="Records per second (live): in, kept, dropped on purpose, refused, lost in delivery"
        times={series.t}
        series={[
          { label: 'accepted', values: series.accepted, colour: COLOURS.accepted },
          { label: 'kept', values: series.kept, colour: COLOURS.kept },
          { label: 'dropped (sampling)', values: series.dropped, colour: COLOURS.dropped, dash: [6, 4] },
          { label: 'refused (retry)', values: series.refused, colour: COLOURS.refused },
          { label: 'lost in delivery', values: series.delivery_lost, colour: COLOURS.lost },
        ]}
      />
      <p class="muted" aria-live="polite" id="live-totals">
        Since start: {count(totals?.accepted)} accepted, {count(totals?.kept)} kept, {count(totals?.dropped)} dropped by sampling,{' '}
        <span class={totals && totals.delivery_lost > 0 ? 'bad' : ''}>{count(totals?.delivery_lost)} lost in delivery</span>; {count(live?.queue ?? o.live.queue)} queued.
      </p>
      <TimeChart
        id="chart-bytes"
        title={`Bytes per ${o.bucket_ms / 60000} min (ledger): seen and kept`}
        times={o.ledger.t}
        format={bytes}
        series={[
          { label: 'bytes seen', values: o.ledger.bytes_seen, colour: COLOURS.accepted },
          { label: 'bytes kept', values: o.ledger.bytes_kept, colour: COLOURS.kept },
        ]}
      />
      <h2>Exporters</h2>
      <table id="exporters">
        <thead>
          <tr><th scope="col">Exporter</th><th scope="col">Status</th><th scope="col">Queued</th><th scope="col">Sent</th><th scope="col">Failed sends</th><th scope="col">Retries</th><th scope="col">Dead-lettered</th><th scope="col">Lost</th></tr>
        </thead>
        <tbody>
          {o.exporters.map((e) => (
            <tr key={e.exporter}>
              <th scope="row">{e.exporter}</th>
              <td><span class={`status status-${e.status}`}>{e.status}</span></td>
              <td>{count(e.queue)}</td>
              <td>{count(e.sent)}</td>
              <td>{count(e.send_failed)}</td>
              <td>{count(e.retries)}</td>
              <td class={e.dead_lettered > 0 ? 'bad' : ''}>{count(e.dead_lettered)}</td>
              <td class={e.lost > 0 ? 'bad' : ''}>{count(e.lost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Busiest patterns (last hour)</h2>
      {top.data ? (
        <ol id="top-patterns">
          {top.data.patterns.map((p) => (
            <li key={`${p.service}/${p.id}`}>
              <a href={href('patterns', p.service, p.id)}>{p.template ?? p.id}</a> <span class="muted">{p.service} · {count(p.seen)} seen · {percent(p.keep_rate)} kept</span>
            </li>
          ))}
        </ol>
      ) : (
        <Loading />
      )}
    </section>
  );
}
