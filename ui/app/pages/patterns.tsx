// Patterns: every pattern with traffic in the chosen span, searchable and sortable on the server (so 10,000
// patterns cost the page one screenful), each with its volume sparkline, share, error share, keep rate,
// what kept its records, and what it costs.
import { useEffect, useState } from 'preact/hooks';
import { Sparkline } from '../chart.js';
import { bytes, count, money, percent, time } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';
import { useApi } from '../use_api.js';
import { Failure, Loading } from '../widgets.js';
import type { PatternPage, PatternRow } from '../types.js';
import { COLOURS } from './overview.js';

const PAGE = 50;
const SORTS = [
  ['seen', 'records seen'],
  ['bytes_seen', 'bytes seen'],
  ['bytes_kept', 'bytes kept'],
  ['errors_seen', 'errors'],
  ['dropped', 'records dropped'],
  ['last_window', 'last seen'],
] as const;

function ReasonMix(props: { row: PatternRow }) {
  const r = props.row.reasons;
  const total = Math.max(1, r.error + r.boost + r.policy + r.dropped);
  const parts: Array<[string, number, string]> = [
    ['errors kept', r.error, COLOURS.lost],
    ['boost kept', r.boost, COLOURS.boosted],
    ['policy kept', r.policy, COLOURS.kept],
    ['dropped', r.dropped, COLOURS.dropped],
  ];
  const label = parts.map(([name, n]) => `${name} ${count(n)}`).join(', ');
  return (
    <span class="mix" role="img" aria-label={label} title={label}>
      {parts.map(([name, n, colour]) => (n > 0 ? <span key={name} style={{ width: `${(n / total) * 100}%`, background: colour }} /> : null))}
    </span>
  );
}

export function PatternsPage(props: { query: URLSearchParams }) {
  const [search, setSearch] = useState(props.query.get('q') ?? '');
  const [typed, setTyped] = useState(search);
  const [sort, setSort] = useState('seen');
  const [hours, setHours] = useState(24);
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const handle = setTimeout(() => {
      setSearch(typed);
      setOffset(0);
    }, 250);
    return () => clearTimeout(handle);
  }, [typed]);
  const params = new URLSearchParams({ sort, hours: String(hours), limit: String(PAGE), offset: String(offset), ...(search ? { q: search } : {}) });
  const page = useApi<PatternPage>(`/api/v1/patterns?${params}`);
  useLive((event) => event === 'ledger' && page.refresh(), [page.refresh]);
  return (
    <section aria-labelledby="patterns-title">
      <h1 id="patterns-title">Patterns</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search templates and ids <input id="pattern-search" type="search" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Sort by{' '}
          <select id="pattern-sort" value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value)}>
            {SORTS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        <label>
          Span{' '}
          <select value={String(hours)} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))}>
            <option value="1">1 hour</option>
            <option value="24">24 hours</option>
            <option value="168">7 days</option>
          </select>
        </label>
      </form>
      {page.error ? <Failure message={page.error} /> : null}
      {!page.data ? (
        <Loading />
      ) : (
        <>
          <p class="muted" id="pattern-count" aria-live="polite">
            {count(page.data.total)} patterns with traffic in the last {page.data.hours} h; {count(page.data.total_seen)} records seen.
          </p>
          <table id="patterns-table">
            <thead>
              <tr>
                <th scope="col">Template</th><th scope="col">Service</th><th scope="col">Volume</th><th scope="col">Seen</th><th scope="col">Share</th><th scope="col">Errors</th>
                <th scope="col">Kept</th><th scope="col">Why kept</th><th scope="col">Bytes kept</th><th scope="col">Cost kept</th><th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {page.data.patterns.map((p) => (
                <tr key={`${p.service}/${p.id}`} data-pattern={p.id}>
                  <td class="template"><a href={href('patterns', p.service, p.id)}>{p.template ?? p.id}</a></td>
                  <td>{p.service}</td>
                  <td><Sparkline values={p.spark} label={`records per hour, peak ${count(Math.max(...p.spark))}`} /></td>
                  <td class="num seen">{count(p.seen)}</td>
                  <td class="num">{percent(p.share)}</td>
                  <td class="num">{percent(p.error_share)}</td>
                  <td class="num keep-rate">{percent(p.keep_rate)}</td>
                  <td><ReasonMix row={p} /></td>
                  <td class="num">{bytes(p.bytes_kept)}</td>
                  <td class="num">{money(p.cost_kept)}</td>
                  <td>{time(p.last_seen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages of patterns">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <span>
              {count(page.data.total === 0 ? 0 : offset + 1)}–{count(Math.min(offset + PAGE, page.data.total))} of {count(page.data.total)}
            </span>
            <button type="button" disabled={offset + PAGE >= page.data.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
          </nav>
        </>
      )}
    </section>
  );
}
