// Fleet: for each service, the policy hash in force and every consumer (sidecar, SDK) that reported holding
// it — applied, applying, failed or behind — and the instances reporting their traffic to this gateway.
import { useApi } from '../use_api.js';
import { count, time } from '../format.js';
import { Failure, Loading } from '../widgets.js';

interface Consumers {
  service: string;
  hash: string | null;
  summary: { applied: number; applying: number; failed: number; behind: number };
  instances: Array<{ instance: string; hash: string; status: string; reported_at: string; error?: string; current: boolean }>;
}

interface Stats {
  services: Array<{ service: string; patterns: number; seen: number; kept: number; instances: Array<{ instance: string; last_report: string; seen: number }> }>;
}

function ServiceConsumers(props: { service: string }) {
  const consumers = useApi<Consumers>(`/api/v1/policies/${encodeURIComponent(props.service)}/status`);
  if (consumers.error) return <Failure message={consumers.error} />;
  const c = consumers.data;
  if (!c) return <Loading />;
  return (
    <article aria-labelledby={`fleet-${props.service}`} data-service={props.service}>
      <h3 id={`fleet-${props.service}`}>{props.service} <span class="muted">policy hash <code>{c.hash ?? '—'}</code></span></h3>
      <p>{c.summary.applied} applied · {c.summary.applying} applying · <span class={c.summary.failed > 0 ? 'bad' : ''}>{c.summary.failed} failed</span> · {c.summary.behind} behind</p>
      {c.instances.length === 0 ? <p class="muted">No consumer has reported.</p> : (
        <table>
          <thead><tr><th scope="col">Instance</th><th scope="col">Status</th><th scope="col">Hash held</th><th scope="col">Current</th><th scope="col">Reported</th><th scope="col">Error</th></tr></thead>
          <tbody>
            {c.instances.map((i) => (
              <tr key={i.instance}><th scope="row">{i.instance}</th><td>{i.status}</td><td><code>{i.hash}</code></td><td>{i.current ? 'yes' : 'behind'}</td><td>{time(i.reported_at)}</td><td>{i.error ?? ''}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

export function FleetPage() {
  const services = useApi<{ services: Array<{ service: string }> }>('/api/v1/policies');
  const stats = useApi<Stats>('/api/v1/patterns/stats');
  if (services.error) return <Failure message={services.error} />;
  if (!services.data) return <Loading />;
  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      <h2>Policy distribution</h2>
      <div id="fleet-consumers">{services.data.services.map((s) => <ServiceConsumers key={s.service} service={s.service} />)}</div>
      <h2>Instances reporting traffic</h2>
      {stats.error ? (
        <p class="muted">{stats.error}</p>
      ) : !stats.data ? <Loading /> : stats.data.services.length === 0 ? <p class="muted">No sidecar or SDK reports its traffic here.</p> : (
        <table id="fleet-stats">
          <thead><tr><th scope="col">Service</th><th scope="col">Instances</th><th scope="col">Patterns</th><th scope="col">Seen</th><th scope="col">Kept</th><th scope="col">Last report</th></tr></thead>
          <tbody>
            {stats.data.services.map((s) => (
              <tr key={s.service}><th scope="row">{s.service}</th><td>{s.instances.map((i) => i.instance).join(', ')}</td><td class="num">{count(s.patterns)}</td><td class="num">{count(s.seen)}</td><td class="num">{count(s.kept)}</td><td>{time(s.instances.map((i) => i.last_report).sort().pop() ?? null)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
