// The console's shell: a skip link, the navigation, the sign-in form when the API asks for a token, and the
// page the URL's hash names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { onUnauthorized, setToken, token } from './api.js';
import { restartLive, startLive } from './live.js';
import { href, useRoute } from './router.js';
import { AlertsPage } from './pages/alerts.js';
import { FleetPage } from './pages/fleet.js';
import { OverviewPage } from './pages/overview.js';
import { PatternPage } from './pages/pattern.js';
import { PatternsPage } from './pages/patterns.js';
import { PoliciesPage } from './pages/policies.js';

const PAGES = [
  ['overview', 'Overview'],
  ['patterns', 'Patterns'],
  ['policies', 'Policies'],
  ['alerts', 'Alerts'],
  ['fleet', 'Fleet'],
] as const;

function SignIn(props: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <form class="sign-in" aria-labelledby="sign-in-title" onSubmit={(e) => { e.preventDefault(); setToken(value.trim()); props.onDone(); }}>
      <h1 id="sign-in-title">Sign in</h1>
      <p>This daemon's API needs a token (service.auth). It is kept in this tab only.</p>
      <label for="token-input">Bearer token or JWT</label>
      <input id="token-input" type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} required />
      <button type="submit">Sign in</button>
    </form>
  );
}

function App() {
  const route = useRoute();
  const [needsToken, setNeedsToken] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedsToken(true)), []);
  useEffect(() => startLive(), []);
  useEffect(() => {
    const titles: Record<string, string> = Object.fromEntries(PAGES);
    document.title = `${titles[route.page] ?? 'logsift'} — logsift`;
  }, [route.page]);
  let page;
  if (route.page === 'patterns' && route.params.length === 2) page = <PatternPage service={route.params[0]!} id={route.params[1]!} />;
  else if (route.page === 'patterns') page = <PatternsPage query={route.query} />;
  else if (route.page === 'policies') page = <PoliciesPage service={route.params[0]} />;
  else if (route.page === 'alerts') page = <AlertsPage />;
  else if (route.page === 'fleet') page = <FleetPage />;
  else page = <OverviewPage />;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <span class="brand">logsift</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map(([name, label]) => <li key={name}><a href={href(name)} aria-current={route.page === name ? 'page' : undefined}>{label}</a></li>)}
          </ul>
        </nav>
        {token() ? <button type="button" class="link" onClick={() => { setToken(null); setNeedsToken(true); }}>Sign out</button> : null}
      </header>
      <main id="main" tabIndex={-1} key={generation}>
        {needsToken ? <SignIn onDone={() => { setNeedsToken(false); setGeneration((g) => g + 1); restartLive(); }} /> : page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
