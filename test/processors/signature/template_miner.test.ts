// The miner's promises: ids are the same across restarts and across independent miners fed the same
// bodies in different orders; a generalised template keeps its history joined; memory stays bounded under
// a flood of distinct bodies; structured bodies sign by message and key set.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSystem } from '../../../bench/patterns/loghub.js';
import { loadCatalog, saveCatalog } from '../../../processors/signature/catalog.js';
import { structuredSignature } from '../../../processors/signature/structured_body.js';
import { TemplateMiner, patternId } from '../../../processors/signature/template_miner.js';
import { Store } from '../../../store/store.js';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function finalIds(bodies: readonly string[], service = 'svc'): Map<string, string> {
  const miner = new TemplateMiner();
  const patterns = bodies.map((b) => [b, miner.add(service, b)] as const);
  return new Map(patterns.map(([b, p]) => [b, p.current.id]));
}

describe('template miner', () => {
  it('two independent miners fed the same bodies in different orders give every body the same id', () => {
    for (const system of ['HDFS', 'OpenSSH', 'Windows']) {
      const bodies = loadSystem(system).map((l) => l.content);
      const forward = finalIds(bodies);
      for (const order of [[...bodies].reverse(), shuffled(bodies, 7), shuffled(bodies, 99)]) {
        const other = finalIds(order);
        for (const body of bodies) assert.equal(other.get(body), forward.get(body), `${system}: ${body}`);
      }
    }
  });

  it('the id is a hash of service and template: the same template in another service has another id', () => {
    const miner = new TemplateMiner();
    const a = miner.add('checkout', 'payment 42 captured');
    const b = miner.add('billing', 'payment 42 captured');
    assert.equal(a.template, 'payment <*> captured');
    assert.equal(a.id, patternId('checkout', 'payment <*> captured'));
    assert.notEqual(a.id, b.id);
  });

  it('ids survive a restart: the catalog is saved, reloaded, and the same bodies get the same ids at once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-catalog-'));
    const bodies = loadSystem('OpenSSH').map((l) => l.content);
    const before = new TemplateMiner();
    const first = bodies.map((b) => before.add('sshd', b, 1000));
    const store = new Store(path.join(dir, 'logsift.db'), 'normal');
    saveCatalog(before, store);
    store.close();

    const reopened = new Store(path.join(dir, 'logsift.db'), 'normal');
    const after = new TemplateMiner();
    assert.ok(loadCatalog(after, reopened) > 10);
    // After a restart even the very first occurrences land on the standing ids (no re-learning phase).
    bodies.forEach((b, i) => assert.equal(after.add('sshd', b, 2000).current.id, first[i]!.current.id, b));
    const rows = reopened.patterns('sshd');
    assert.equal(rows.reduce((n, r) => n + r.count, 0), bodies.length, 'counts carried over');
    reopened.close();
  });

  it('generalisation keeps history joined: earlier ids resolve to the generalised pattern', () => {
    const miner = new TemplateMiner();
    const early = miner.add('auth', 'session opened for user alice');
    const earlyId = early.id;
    miner.add('auth', 'session opened for user bob');
    assert.notEqual(miner.add('auth', 'session opened for user alice').id, miner.add('auth', 'session opened for user bob').id, 'two words: two events, for now');
    const later = miner.add('auth', 'session opened for user carol');
    assert.equal(later.template, 'session opened for user <*>', 'a third distinct word makes the position a variable');
    assert.equal(early.current, later, 'the early pattern folded into the generalised one');
    assert.equal(miner.resolve(earlyId), later.id);
    assert.ok(miner.aliases().some(([from, to]) => from === earlyId && to === later.id), 'the alias is there to be saved');
    assert.equal(later.count, 5);
  });

  it('memory stays bounded under 1M distinct random bodies; evictions are counted', () => {
    let evicted = 0;
    const miner = new TemplateMiner({ similarity: 0.7, variableAfter: 3, maxPatternsPerService: 1000 }, { evicted: () => (evicted += 1) });
    let seed = 42;
    const word = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed % 0xfffff).toString(36).replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!);
    };
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) miner.add('noise', `${word()} ${word()} ${word()} ${word()}`);
    const live = [...miner.patterns()].length;
    assert.ok(live <= 1000, `${live} live patterns`);
    assert.ok(evicted > 900_000, `${evicted} evictions counted`);
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    assert.ok(grownMb < 100, `heap grew ${grownMb.toFixed(0)} MB`);
  });

  it('the shape cache never hands a body another body\'s pattern when the digits mattered', () => {
    const miner = new TemplateMiner();
    assert.equal(miner.add('net', 'ipv4=1 up').template, 'ipv4=<*> up');
    assert.equal(miner.add('net', 'ipv6=2 up').template, 'ipv6=<*> up', 'same shape as the line before, other key');
    assert.equal(miner.add('net', 'took 42 ms').id, miner.add('net', 'took 97 ms').id);
  });

  it('structured bodies sign by their message field and sorted key set', () => {
    assert.equal(structuredSignature({ msg: 'user logged in', user: 'a', level: 'info' }), 'user logged in {level,msg,user}');
    assert.equal(structuredSignature({ b: 1, a: 2 }), '{a,b}');
    const miner = new TemplateMiner();
    const one = miner.add('api', structuredSignature({ message: 'order placed', order: 'x1', amount: 3 }));
    const two = miner.add('api', structuredSignature({ message: 'order placed', order: 'x2', amount: 9 }));
    const other = miner.add('api', structuredSignature({ message: 'order placed', order: 'x3', refund: true }));
    assert.equal(one.id, two.id);
    assert.notEqual(one.id, other.id, 'a different key set is a different event');
  });
});
