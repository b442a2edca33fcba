// The daemon's store checkpoints its write-ahead log on a thread of its own: what the data path writes is
// copied into the database by the worker's connection; a worker that cannot run is reported, and the
// store's own connection takes the checkpoints back.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SharedStore } from '../../store/shared_store.js';
import { WalCheckpointer } from '../../store/wal_checkpointer.js';

describe('write-ahead log checkpoints off the data path', () => {
  it('the worker copies what the store wrote into the database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-wal-'));
    let copiedSoFar = 0;
    let seen: (() => void) | undefined;
    const shared = new SharedStore(dir, 'normal', {
      intervalMs: 5,
      onFailure: (error) => assert.fail(error),
      onCheckpoint: (copied) => {
        copiedSoFar = copied;
        if (copied > 0) seen?.();
      },
    });
    const copied = new Promise<void>((resolve) => (seen = resolve));
    const store = shared.get();
    for (let i = 0; i < 20; i++) store.enqueue('otlp_http', 100, new Uint8Array(64 * 1024).fill(i));
    await copied;
    assert.ok(copiedSoFar > 0, `${copiedSoFar} log frames copied by the worker`);
    assert.equal(store.pending('otlp_http').length, 20, 'nothing lost on the way');
    await shared.close();
  });

  it("the store's own connection no longer checkpoints at SQLite's 4 MB: the data path never waits for it", async () => {
    const walAfter = async (background: boolean) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-wal-'));
      // The worker's first pass is far away: whatever is checkpointed here, the store's connection did.
      const shared = new SharedStore(dir, 'normal', background ? { intervalMs: 600_000, onFailure: (error) => assert.fail(error) } : undefined);
      const store = shared.get();
      for (let i = 0; i < 40; i++) store.enqueue('otlp_http', 100, new Uint8Array(256 * 1024).fill(i));
      const size = statSync(path.join(dir, 'logsift.db-wal')).size;
      await shared.close();
      return size;
    };
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const own = await walAfter(false);
    const offloaded = await walAfter(true);
    assert.ok(own < 6 * 1024 * 1024, `alone, the connection checkpoints at ~4 MB of log (${mb(own)} MB)`);
    assert.ok(offloaded > 9 * 1024 * 1024, `with the worker, 10 MB written stay in the log for it (${mb(offloaded)} MB)`);
  });

  it('a worker that cannot run is reported', async () => {
    const failed = await new Promise<Error>((resolve) => new WalCheckpointer(path.join(os.tmpdir(), 'no-such-dir', 'x', 'logsift.db'), 'normal', 5, resolve));
    assert.match(failed.message, /unable to open|directory|no such/i);
  });
});
