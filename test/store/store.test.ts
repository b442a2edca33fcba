// The SQLite store: WAL with the configured sync policy, queue rows that survive reopening, dead letters.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Store } from '../../store/store.js';

const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'logsift-store-')), 'logsift.db');

describe('store', () => {
  it('opens in WAL mode with the sync policy asked for', () => {
    for (const [policy, level] of [['full', 2], ['normal', 1], ['off', 0]] as const) {
      const f = file();
      const store = new Store(f, policy);
      assert.equal(store.syncLevel(), level, 'synchronous is per connection: the store sets it on its own');
      store.close();
      const check = new Database(f, { readonly: true });
      assert.equal(check.pragma('journal_mode', { simple: true }), 'wal', 'WAL is recorded in the file');
      check.close();
    }
  });

  it('keeps queue rows per exporter across reopening, in order, until removed', () => {
    const f = file();
    const store = new Store(f, 'full');
    const a = store.enqueue('posthog', 10, Buffer.from('first'));
    const b = store.enqueue('posthog', 20, Buffer.from('second'));
    store.enqueue('otlp_http', 5, Buffer.from('other'));
    store.close();

    const again = new Store(f, 'full');
    assert.deepEqual(again.pending('posthog'), [
      { id: a, records: 10, bytes: 5 },
      { id: b, records: 20, bytes: 6 },
    ]);
    assert.equal(Buffer.from(again.payload(b)!).toString(), 'second');
    again.remove(a);
    assert.deepEqual(again.pending('posthog').map((r) => r.id), [b]);
    again.enqueueMany('posthog', [{ records: 1, payload: Buffer.from('x') }, { records: 2, payload: Buffer.from('y') }]);
    assert.equal(again.pending('posthog').length, 3);
    again.close();
  });

  it('dead-letters a batch, taking it out of the queue in the same transaction', () => {
    const store = new Store(file(), 'normal');
    const id = store.enqueue('posthog', 7, Buffer.from('bad'));
    store.deadLetter('posthog', 7, 'HTTP 400: bad', Buffer.from('bad'), [id]);
    assert.deepEqual(store.pending('posthog'), []);
    assert.equal(store.deadLetteredRecords('posthog'), 7);
    store.deadLetter('posthog', 3, 'HTTP 401', Buffer.from('x'));
    assert.equal(store.deadLetteredRecords('posthog'), 10);
    store.close();
  });
});
