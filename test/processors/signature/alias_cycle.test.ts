// The hang of issue 11: generalising and folding once recorded pattern-id aliases that formed a cycle
// (A → B → A), and resolving one followed it forever — the catalog flush froze the daemon for good. These
// bodies drew exactly that cycle; now every retired id must resolve to an id a live pattern holds, and a
// daemon fed templates that keep generalising back and forth answers every request and /healthz while its
// catalog flushes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { saveCatalog } from '../../../processors/signature/catalog.js';
import { TemplateMiner } from '../../../processors/signature/template_miner.js';
import { Store } from '../../../store/store.js';
import { OTLP_RECEIVER, startDaemon } from '../../support/daemon.js';
import { fakeClock } from '../../support/fake_clock.js';
import { sdkExporter, sdkProvider } from '../../support/otel_clients.js';

// @opentelemetry/core's ExportResultCode.SUCCESS (that package is only a transitive dependency here).
const EXPORT_SUCCESS = 0;
const TAIL = 'one two three four five six';

/** Bodies that generalise one template to B while a sibling of a wider width becomes B and folds into A. */
function cycleBodies(family: string): string[] {
  return [
    `${family} a 1 y ${TAIL}`, `${family} q 1 y ${TAIL}`, `${family} r 1 y ${TAIL}`, // "F a <*> y …" (A) → "F <*> y …" (B)
    `${family} a 1 c y ${TAIL}`, `${family} a 1 d y ${TAIL}`, // one word wider: a template and its sibling S
    `${family} q 1 d y ${TAIL}`, `${family} r 1 d y ${TAIL}`, // S generalises where the first word follows
    `${family} 5 1 e y ${TAIL}`, `${family} 5 1 f y ${TAIL}`, // S becomes "F <*> y …" (B)
    `${family} a 1 g y ${TAIL}`, // the template becomes "F a <*> y …" (A); S (B) folds into it
  ];
}

function assertAliasesEndAtLiveIds(miner: TemplateMiner, service: string): void {
  const aliases = miner.aliases();
  assert.ok(aliases.length > 0, 'the bodies did retire ids');
  const direct = new Map(aliases);
  for (const [from, to] of aliases) {
    assert.notEqual(from, to, `${from} resolves to itself: the chain came back to where it started`);
    assert.ok(miner.holders(service, to).length > 0, `${from} resolves to ${to}, which no live pattern holds`);
    assert.ok(!direct.has(to), `${to} is both standing and retired`);
  }
}

describe('pattern id aliases', () => {
  it('the bodies that once drew a cycle leave every retired id resolving to a standing one', () => {
    const miner = new TemplateMiner();
    for (const body of cycleBodies('x')) miner.add('svc', body);
    assertAliasesEndAtLiveIds(miner, 'svc');
  });

  it('a standing id that generalised away and came back is no longer an alias', () => {
    const miner = new TemplateMiner();
    const first = miner.add('svc', 'job alpha done in 5 ms');
    const firstId = first.id;
    miner.add('svc', 'job beta done in 5 ms');
    miner.add('svc', 'job gamma done in 5 ms');
    assert.equal(miner.resolve(firstId), first.current.id, 'the first template retired into the generalised one');
    // The same template again in another service's miner state is a fresh pattern; here its id stands once
    // restored, and must not keep pointing elsewhere.
    miner.restore('svc', 'job alpha done in <*> ms', { count: 1, firstSeen: 0, lastSeen: 0, example: '' });
    assert.equal(miner.resolve(firstId), firstId);
    assertAliasesEndAtLiveIds(miner, 'svc');
  });

  it('a saved catalog holds no alias whose target is itself retired', () => {
    const miner = new TemplateMiner();
    const store = new Store(':memory:', 'normal');
    for (const family of ['alpha', 'beta', 'gamma']) {
      for (const body of cycleBodies(family)) miner.add('svc', body);
      saveCatalog(miner, store);
    }
    const saved = store.patternAliases();
    const standing = new Set(store.patterns('svc').map((p) => p.id));
    assert.ok(saved.size > 0);
    for (const [from, to] of saved) {
      assert.ok(standing.has(to), `${from} → ${to}, not a saved pattern`);
      assert.ok(!standing.has(from), `${from} is saved as a pattern and as an alias`);
    }
    store.close();
  });

  it('a daemon fed a minute of templates that keep generalising answers every request and /healthz throughout', async () => {
    const { fake, clock } = fakeClock();
    const d = await startDaemon(
      `${OTLP_RECEIVER}processors:
  signature: { catalog: { flush_interval: 10s } }
exporters:
  nop: {}
service:
  data_dir: "{{DIR}}/data"
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature], exporters: [nop] }
`,
      { clock },
    );
    try {
      // Every export's outcome, as the SDK saw the daemon's answer.
      const outcomes: number[] = [];
      const exporter = sdkExporter('http/protobuf', d, false);
      const send = exporter.export.bind(exporter);
      exporter.export = (records, done) => send(records, (result) => (outcomes.push(result.code), done(result)));
      const client = sdkProvider(exporter, { 'service.name': 'churn' });
      const letters = (n: number) => n.toString(26).replace(/[0-9]/g, (c) => 'qrstuvwxyz'[Number(c)]!);
      for (let second = 0; second < 60; second++) {
        // Each second a new family runs through the cycle, and an earlier family comes back with new words.
        for (const body of [...cycleBodies(`fam${letters(second)}`), ...cycleBodies(`fam${letters(second >> 1)}`).reverse()]) client.logger.emit({ body });
        await client.flush();
        fake.tick(1000); // the catalog flushes every 10 s of the daemon's clock
        const health = await fetch(`http://127.0.0.1:${d.telemetryPort}/healthz`);
        assert.equal(health.status, 200, `second ${second}`);
      }
      await client.shutdown();
      assert.ok(outcomes.length >= 60, `${outcomes.length} exports`);
      assert.deepEqual(outcomes.filter((code) => code !== EXPORT_SUCCESS), [], 'every export was answered with success');
      const db = new Store(path.join(d.dir, 'data', 'logsift.db'), 'normal');
      assert.ok(db.patterns('churn').length > 0, 'the catalog was flushed while traffic ran');
      db.close();
    } finally {
      await d.stop();
    }
  });
});
