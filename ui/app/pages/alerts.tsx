// Alerts: open and recently resolved, as the alert engine grouped them (one alert per service and incident,
// its findings inside), with the explanation and the evidence it cites, what changed before, links to the
// patterns; snooze an alert, and see and end silences.
import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { time } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';
import { useApi } from '../use_api.js';
import { Failure, Loading } from '../widgets.js';
import type { Alert, Silence } from '../types.js';

function Explanation(props: { alert: Alert }) {
  const e = props.alert.explanation;
  if (!e) return <p class="muted">Explanation pending.</p>;
  if (e.status === 'unavailable') return <p class="muted">Explanation unavailable.</p>;
  return (
    <div class="explanation">
      <p><strong>{e.headline}</strong>{e.impact ? ` — ${e.impact}` : ''}</p>
      {e.causes && e.causes.length > 0 ? (
        <ul>{e.causes.map((c, i) => <li key={i}>{c.cause} <span class="muted">(confidence {Math.round(c.confidence * 100)}%; evidence: {c.evidence.join(', ')})</span></li>)}</ul>
      ) : null}
      {e.next_steps && e.next_steps.length > 0 ? <ol>{e.next_steps.map((s, i) => <li key={i}>{s}</li>)}</ol> : null}
    </div>
  );
}

function AlertCard(props: { alert: Alert; onSnooze: (id: string, duration: string) => void; busy: boolean }) {
  const a = props.alert;
  const [duration, setDuration] = useState('1h');
  return (
    <article class={`alert alert-${a.status}`} data-alert={a.id} aria-labelledby={`alert-${a.id}`}>
      <h3 id={`alert-${a.id}`}>
        <span class={`sev sev-${a.severity}`}>{a.severity}</span> {a.service} — {a.findings.map((f) => f.kind).join(', ')} <span class="muted">({a.status}, opened {time(a.opened_at)}{a.resolved_at ? `, resolved ${time(a.resolved_at)}` : ''})</span>
      </h3>
      <Explanation alert={a} />
      <table>
        <caption>Findings</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col">Pattern</th><th scope="col">Observed</th><th scope="col">Expected</th><th scope="col">Since</th></tr></thead>
        <tbody>
          {a.findings.map((f) => (
            <tr key={f.id}>
              <td>{f.kind}</td>
              <td>{f.pattern_id ? <a href={href('patterns', a.service, f.pattern_id)}>{f.template ?? f.pattern_id}</a> : 'whole service'}{f.link ? <> · <a href={f.link} rel="noreferrer">in PostHog</a></> : null}</td>
              <td class="num">{f.observed.toFixed(1)}</td>
              <td class="num">{f.expected.toFixed(1)}</td>
              <td>{time(f.start)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {a.changes_before.length > 0 ? <p>Changed before: {a.changes_before.map((c) => `${c.key} ${c.from ?? '—'} → ${c.to} at ${time(c.at)}`).join('; ')}</p> : null}
      {a.status !== 'resolved' ? (
        <form class="row" onSubmit={(e) => { e.preventDefault(); props.onSnooze(a.id, duration); }}>
          <label>Snooze for <select value={duration} onChange={(e) => setDuration((e.target as HTMLSelectElement).value)}><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="24h">a day</option></select></label>
          <button type="submit" class="snooze" disabled={props.busy}>Snooze</button>
        </form>
      ) : null}
    </article>
  );
}

// A silence of one's own: matchers (empty matches any), how long, why — POST /api/v1/alerts/silences.
function NewSilence(props: { busy: boolean; onCreate: (body: unknown) => void }) {
  const [service, setService] = useState('');
  const [kind, setKind] = useState('');
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  return (
    <form id="new-silence" class="row" aria-label="New silence" onSubmit={(e) => {
      e.preventDefault();
      props.onCreate({ matchers: { ...(service ? { service } : {}), ...(kind ? { kind } : {}) }, duration, created_by: 'console', comment });
    }}>
      <label>Service <input id="silence-service" value={service} onInput={(e) => setService((e.target as HTMLInputElement).value)} placeholder="any" /></label>
      <label>Kind <select id="silence-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
        {['', 'spike', 'drop', 'level_shift', 'new_pattern', 'error_ratio', 'silence'].map((k) => <option key={k} value={k}>{k || 'any'}</option>)}
      </select></label>
      <label>For <input id="silence-duration" value={duration} onInput={(e) => setDuration((e.target as HTMLInputElement).value)} size={6} /></label>
      <label>Why <input id="silence-comment" value={comment} required onInput={(e) => setComment((e.target as HTMLInputElement).value)} /></label>
      <button type="submit" disabled={props.busy}>Add silence</button>
    </form>
  );
}

export function AlertsPage() {
  const alerts = useApi<{ open: Alert[]; resolved: Alert[] }>('/api/v1/alerts');
  const silences = useApi<{ silences: Silence[] }>('/api/v1/alerts/silences');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  useLive((event) => {
    if (event !== 'ledger') return;
    alerts.refresh();
    silences.refresh();
  }, [alerts.refresh, silences.refresh]);
  if (alerts.error) return <Failure message={alerts.error.includes('not found') ? 'The alerts extension is not configured (service.extensions: [alerts]).' : alerts.error} />;
  if (!alerts.data) return <Loading />;
  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await what();
      setMessage(done);
    } catch (error) {
      const problems = error instanceof ApiError ? ((error.body as { problems?: string[] } | null)?.problems ?? []) : [];
      setMessage([error instanceof Error ? error.message : String(error), ...problems].join(': '));
    } finally {
      setBusy(false);
      alerts.refresh();
      silences.refresh();
    }
  };
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts and anomalies</h1>
      {message ? <p role="status" id="alerts-message">{message}</p> : null}
      <h2>Open ({alerts.data.open.length})</h2>
      <div id="open-alerts">
        {alerts.data.open.length === 0 ? <p class="muted">Nothing open.</p> : alerts.data.open.map((a) => <AlertCard key={a.id} alert={a} busy={busy} onSnooze={(id, duration) => act(() => request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/snooze`, { duration, created_by: 'console' }), `Snoozed for ${duration}.`)} />)}
      </div>
      <h2>Recently resolved ({alerts.data.resolved.length})</h2>
      <div id="resolved-alerts">{alerts.data.resolved.map((a) => <AlertCard key={a.id} alert={a} busy={busy} onSnooze={() => undefined} />)}</div>
      <h2>Silences</h2>
      <NewSilence busy={busy} onCreate={(body) => act(() => request('POST', '/api/v1/alerts/silences', body), 'Silence added.')} />
      {silences.data ? (
        <table id="silences">
          <thead><tr><th scope="col">Matches</th><th scope="col">State</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">By</th><th scope="col">Comment</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {silences.data.silences.map((s) => (
              <tr key={s.id} data-silence={s.id}>
                <td>{Object.entries(s.matchers).map(([k, v]) => `${k}=${v}`).join(', ')}</td>
                <td class="state">{s.state}</td>
                <td>{time(s.starts_at)}</td>
                <td>{time(s.ends_at)}</td>
                <td>{s.created_by}</td>
                <td>{s.comment}</td>
                <td>{s.state !== 'expired' ? <button type="button" disabled={busy} onClick={() => act(() => request('DELETE', `/api/v1/alerts/silences/${encodeURIComponent(s.id)}`), 'Silence ended.')}>End now</button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <Loading />}
    </section>
  );
}
