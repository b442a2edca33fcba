// Policies: the policy in force per service with who wrote it and why, a schema-driven editor, "replay before
// apply" (the daemon replays the edited policy over its tape and says what it would keep and lose, changing
// nothing), apply with If-Match (a policy changed meanwhile is not overwritten), history with diffs, rollback.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { policyDiff } from '../diff.js';
import { count, money, percent, time } from '../format.js';
import { href } from '../router.js';
import { SchemaForm, type Schema } from '../schema_form.js';
import { useApi } from '../use_api.js';
import { Failure, Loading } from '../widgets.js';
import type { PolicyVersion, ReplayReport } from '../types.js';

interface Verdict {
  accepted: boolean;
  reason: string | null;
  clamps: unknown[];
  replay: { candidate: ReplayReport; current: ReplayReport } | null;
}

function ReplayTable(props: { replay: { candidate: ReplayReport; current: ReplayReport }; id: string }) {
  const rows: Array<[string, (r: ReplayReport) => string]> = [
    ['records replayed', (r) => count(r.records)],
    ['records kept', (r) => `${count(r.kept)} (${percent(r.keep_fraction)})`],
    ['kept by the policy (outside boosts)', (r) => percent(r.policy_keep_fraction)],
    ['bytes kept', (r) => percent(r.bytes_keep_fraction)],
    ['ERROR+ kept', (r) => `${percent(r.error_retention)} of ${count(r.error_records)}`],
    ['pattern-windows covered', (r) => `${percent(r.coverage)} of ${count(r.pattern_windows)}`],
    ['incident records kept', (r) => `${percent(r.incident_retention)} of ${count(r.incident_records)}`],
  ];
  return (
    <table id={props.id}>
      <caption>Replay over the recent traffic on the tape</caption>
      <thead><tr><th scope="col">Figure</th><th scope="col">In force</th><th scope="col">Edited</th></tr></thead>
      <tbody>{rows.map(([label, f]) => <tr key={label}><th scope="row">{label}</th><td>{f(props.replay.current)}</td><td>{f(props.replay.candidate)}</td></tr>)}</tbody>
    </table>
  );
}

function VerdictView(props: { verdict: Verdict; title: string }) {
  const v = props.verdict;
  return (
    <div class={`verdict ${v.accepted ? "verdict-accepted" : "verdict-refused"}`} id="verdict" role="status">
      <h3>{props.title}: {v.accepted ? 'the replay accepts it' : `the replay refuses it — ${v.reason}`}</h3>
      {v.clamps.length > 0 ? <p>The guard changed {v.clamps.length} value(s): <code>{JSON.stringify(v.clamps)}</code></p> : null}
      {v.replay ? <ReplayTable replay={v.replay} id="replay-table" /> : <p class="muted">No traffic on the tape yet to replay over.</p>}
    </div>
  );
}

function History(props: { service: string; versions: PolicyVersion[]; onRollback: (version: number) => void; busy: boolean }) {
  const newest = [...props.versions].sort((a, b) => b.version - a.version);
  return (
    <table id="history">
      <caption>Versions, newest first, each with what changed from the one before</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">When</th><th scope="col">Author</th><th scope="col">Why</th><th scope="col">Changes</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        {newest.map((v, i) => {
          const previous = newest[i + 1];
          const changes = previous ? policyDiff(previous.policy, v.policy) : [];
          return (
            <tr key={v.version} data-version={v.version}>
              <th scope="row">v{v.version}</th>
              <td>{time(v.created_at)}</td>
              <td>{v.author}{v.model ? ` (${v.model}, ${money(v.cost_usd)})` : ''}</td>
              <td class="reasoning">{v.reasoning}</td>
              <td>
                {previous ? (changes.length === 0 ? <span class="muted">no change</span> : (
                  <ul class="diff">{changes.map((c) => <li key={c.path}><code>{c.path}</code>: <del>{JSON.stringify(c.before) ?? '—'}</del> → <ins>{JSON.stringify(c.after) ?? '—'}</ins></li>)}</ul>
                )) : <span class="muted">first</span>}
              </td>
              <td>{i === 0 ? <span class="muted">in force</span> : <button type="button" disabled={props.busy} onClick={() => props.onRollback(v.version)}>Roll back to v{v.version}</button>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ServicePolicy(props: { service: string; schema: Schema }) {
  const base = `/api/v1/policies/${encodeURIComponent(props.service)}`;
  const [policy, setPolicy] = useState<{ body: Record<string, unknown>; etag: string | null } | undefined>(undefined);
  const [draft, setDraft] = useState<Record<string, unknown> | undefined>(undefined);
  const [verdict, setVerdict] = useState<{ title: string; verdict: Verdict } | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [force, setForce] = useState(false);
  const history = useApi<{ versions: PolicyVersion[]; rejections: unknown[] }>(`${base}/history`);
  const load = () =>
    request<Record<string, unknown>>('GET', base)
      .then((a) => {
        setPolicy({ body: a.body, etag: a.etag });
        setDraft(a.body);
      })
      .catch((e: Error) => setMessage({ text: e.message, bad: true }));
  useEffect(() => {
    setVerdict(undefined);
    setMessage(undefined);
    void load();
  }, [props.service]);
  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await what();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) setVerdict({ title: 'Not applied', verdict: error.body as Verdict });
      const problems = error instanceof ApiError ? ((error.body as { problems?: string[] } | null)?.problems ?? []) : [];
      const text = error instanceof ApiError && error.status === 412 ? 'The policy changed since you loaded it: reload to see the new one before applying.' : [(error as Error).message, ...problems].join(': ');
      setMessage({ text, bad: true });
    } finally {
      setBusy(false);
    }
  };
  if (!policy || !draft) return message ? <Failure message={message.text} /> : <Loading />;
  const latest = history.data?.versions.reduce<PolicyVersion | undefined>((a, v) => (!a || v.version > a.version ? v : a), undefined);
  const { service: _s, version: _v, ...editable } = draft;
  const body = { ...editable, service: props.service };
  return (
    <>
      <h2>{props.service}: version {String(policy.body.version)} in force</h2>
      {latest ? (
        <p id="provenance">
          Written by <strong>{latest.author}</strong>{latest.model ? ` (${latest.model})` : ''} at {time(latest.created_at)}: {latest.reasoning || <span class="muted">no reasoning given</span>}
          {latest.replay ? ` — its replay kept ${percent(latest.replay.candidate.keep_fraction)} of ${count(latest.replay.candidate.records)} records, every error: ${percent(latest.replay.candidate.error_retention)}` : ''}
        </p>
      ) : (
        <p class="muted" id="provenance">The configured policy: no version written yet.</p>
      )}
      <form class="editor" onSubmit={(e) => e.preventDefault()} aria-label={`Edit the policy of ${props.service}`}>
        <SchemaForm schema={props.schema} value={draft} onChange={setDraft} readOnlyKeys={['service', 'version']} />
        <div class="actions">
          <button type="button" id="replay-button" disabled={busy} onClick={() => act(async () => {
            const answer = await request<Verdict>('POST', `${base}?dry_run=true`, body);
            setVerdict({ title: 'Replay before apply', verdict: answer.body });
          })}>Replay before apply</button>
          <button type="button" id="apply-button" disabled={busy} onClick={() => act(async () => {
            await request('POST', force ? `${base}?force=true` : base, body, policy.etag ? { 'if-match': policy.etag } : {});
            setMessage({ text: 'Applied.', bad: false });
            setVerdict(undefined);
            await load();
            history.refresh();
          })}>Apply</button>
          <button type="button" id="propose-button" disabled={busy} onClick={() => act(async () => {
            const answer = await request<{ candidate: Record<string, unknown> | null; accepted: boolean; reason: string; provider: string; clamps: unknown[]; replay: Verdict['replay'] }>('POST', `${base}/propose`);
            const round = answer.body;
            if (round.candidate) setDraft(round.candidate);
            setVerdict({ title: `The tuner's proposal (${round.provider})`, verdict: { accepted: round.accepted, reason: round.reason, clamps: round.clamps, replay: round.replay } });
            setMessage({ text: round.candidate ? 'The proposal is in the editor: replay or apply it as any edit.' : `The tuner proposed nothing: ${round.reason}`, bad: !round.candidate });
          })}>Ask the tuner</button>
          <button type="button" disabled={busy} onClick={() => { setDraft(policy.body); setVerdict(undefined); }}>Discard edits</button>
          <label><input type="checkbox" id="force-apply" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} /> Apply even if the replay refuses (recorded as forced)</label>
        </div>
      </form>
      {message ? <p id="policy-message" class={message.bad ? 'error' : 'ok'} role={message.bad ? 'alert' : 'status'}>{message.text}</p> : null}
      {verdict ? <VerdictView title={verdict.title} verdict={verdict.verdict} /> : null}
      <h2>History</h2>
      {history.data ? (
        <History service={props.service} versions={history.data.versions} busy={busy} onRollback={(version) => act(async () => {
          await request('POST', `${base}/rollback`, { version });
          setMessage({ text: `Rolled back to version ${version}'s policy.`, bad: false });
          await load();
          history.refresh();
        })} />
      ) : <Loading />}
    </>
  );
}

export function PoliciesPage(props: { service: string | undefined }) {
  const list = useApi<{ services: Array<{ service: string; version: number }>; schema: Schema }>('/api/v1/policies');
  if (list.error) return <Failure message={list.error} />;
  if (!list.data) return <Loading />;
  const service = props.service ?? list.data.services[0]?.service;
  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">Policies</h1>
      <nav aria-label="Services">
        <ul class="tabs" id="policy-services">
          {list.data.services.map((s) => <li key={s.service}><a href={href('policies', s.service)} aria-current={s.service === service ? 'page' : undefined}>{s.service} <span class="muted">v{s.version}</span></a></li>)}
        </ul>
      </nav>
      {service ? <ServicePolicy key={service} service={service} schema={list.data.schema} /> : <p class="muted">No service has sent records yet.</p>}
    </section>
  );
}
