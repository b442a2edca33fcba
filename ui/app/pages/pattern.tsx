// One pattern: its windows against a baseline (the median of the windows before), its findings, recent kept
// lines, the policy rule that decides it, and a live tail of what the sampler decides for it now.
import { useEffect, useState } from 'preact/hooks';
import { TimeChart } from '../chart.js';
import { follow } from '../api.js';
import { bytes, count, money, percent, time } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';
import { useApi } from '../use_api.js';
import { Failure, Loading } from '../widgets.js';
import type { PatternDetail } from '../types.js';
import { COLOURS } from './overview.js';

interface TailLine {
  at: number;
  severity: string;
  body: string;
  kept: boolean;
  reason: string;
}

function Tail(props: { service: string; id: string }) {
  const [on, setOn] = useState(false);
  const [lines, setLines] = useState<TailLine[]>([]);
  useEffect(() => {
    if (!on) return;
    const controller = new AbortController();
    follow(`/api/v1/patterns/${encodeURIComponent(props.service)}/${encodeURIComponent(props.id)}/tail`, (event, data) => {
      if (event === 'record') setLines((prev) => [...prev.slice(-199), data as TailLine]);
    }, controller.signal);
    return () => controller.abort();
  }, [on, props.service, props.id]);
  return (
    <section aria-labelledby="tail-title">
      <h2 id="tail-title">Live tail</h2>
      <button type="button" id="tail-toggle" aria-pressed={on} onClick={() => setOn(!on)}>{on ? 'Stop' : 'Start'} following</button>{' '}
      <span class="muted">kept records all; dropped ones at most five a second</span>
      <ol class="lines" id="tail-lines" aria-live="polite">
        {lines.map((l, i) => (
          <li key={i} class={l.kept ? 'kept' : 'dropped'}>
            <span class="tag">{l.kept ? `kept: ${l.reason}` : 'dropped'}</span> <time>{time(l.at)}</time> <span class="sev">{l.severity}</span> {l.body}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function PatternPage(props: { service: string; id: string }) {
  const path = `/api/v1/patterns/${encodeURIComponent(props.service)}/${encodeURIComponent(props.id)}`;
  const detail = useApi<PatternDetail>(path);
  useLive((event) => event === 'ledger' && detail.refresh(), [detail.refresh]);
  if (detail.error) return <Failure message={detail.error} />;
  const d = detail.data;
  if (!d) return <Loading />;
  return (
    <section aria-labelledby="pattern-title">
      <p><a href={href('patterns')}>← Patterns</a></p>
      <h1 id="pattern-title" class="template">{d.template ?? d.id}</h1>
      <p class="muted">{d.service} · pattern {d.id} · first seen {time(d.first_seen)} · last seen {time(d.last_seen)}</p>
      <dl class="kpis">
        <div><dt>Seen ({d.hours} h)</dt><dd id="pattern-seen">{count(d.seen)}</dd></div>
        <div><dt>Kept</dt><dd id="pattern-kept">{count(d.kept)} ({percent(d.keep_rate)})</dd></div>
        <div><dt>Share of service</dt><dd>{percent(d.share)}</dd></div>
        <div><dt>Errors</dt><dd>{percent(d.error_share)}</dd></div>
        <div><dt>Bytes kept</dt><dd>{bytes(d.bytes_kept)}</dd></div>
        <div><dt>Cost kept / saved</dt><dd>{money(d.cost_kept)} / {money(d.cost_saved)}</dd></div>
      </dl>
      <h2>The rule that decides it</h2>
      <p id="pattern-rule">{d.policy ? <>{d.policy.rule}; the first {d.policy.first_k_per_window} of each window always kept. <a href={href('policies', d.service)}>Policy v{d.policy.version}</a></> : 'No sampler shares its policy.'}</p>
      <TimeChart
        id="chart-pattern"
        title={`Records per ${d.history.bucket_ms / 60000} min against its baseline`}
        times={d.history.t}
        series={[
          { label: 'seen', values: d.history.seen, colour: COLOURS.accepted },
          { label: 'kept', values: d.history.kept, colour: COLOURS.kept },
          { label: 'baseline (median before)', values: d.history.baseline, colour: COLOURS.baseline, dash: [4, 4] },
        ]}
      />
      <h2>Findings</h2>
      {d.anomalies.length === 0 ? (
        <p class="muted">No anomaly in the last {d.hours} h.</p>
      ) : (
        <table id="pattern-anomalies">
          <thead><tr><th scope="col">Kind</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Observed</th><th scope="col">Expected</th><th scope="col">Score</th></tr></thead>
          <tbody>
            {d.anomalies.map((a) => (
              <tr key={a.id}><td>{a.kind}</td><td>{time(a.start)}</td><td>{a.end === null ? 'open' : time(a.end)}</td><td class="num">{a.observed.toFixed(1)}</td><td class="num">{a.expected.toFixed(1)}</td><td class="num">{a.score.toFixed(2)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Recent kept lines</h2>
      {d.samples.kept.length === 0 && !d.example ? <p class="muted">None kept since the daemon started.</p> : null}
      <ol class="lines" id="pattern-samples">
        {d.samples.kept.map((l, i) => <li key={i}><time>{time(l.at)}</time> <span class="sev">{l.severity}</span> {l.body}</li>)}
        {d.samples.during_anomalies.map((l, i) => <li key={`a${i}`}><span class="tag">{l.how === 'retro' ? 'brought back' : 'during anomaly'}</span> <time>{time(l.at)}</time> <span class="sev">{l.severity}</span> {l.body}</li>)}
      </ol>
      {d.example ? <p class="muted">Catalog example: <code>{d.example}</code></p> : null}
      <Tail service={d.service} id={d.id} />
    </section>
  );
}
