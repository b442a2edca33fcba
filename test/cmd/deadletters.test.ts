// `logsift deadletters list|replay|purge` on a real store: a batch the backend refused is listed, queued
// again and delivered by the daemon's next start; another is purged; bad invocations say what is wrong.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { encodeExportRequest } from '../../proto/otlp.js';
import { Store } from '../../store/store.js';
import { runCli, startCli } from '../support/cli.js';
import { writeConfigFile, type ConfigFile } from '../support/config_file.js';
import { PosthogStandin } from '../support/posthog_standin.js';
import { batchOf } from '../support/records.js';

describe('logsift deadletters', () => {
  const standin = new PosthogStandin();
  let config: ConfigFile;
  before(async () => {
    const endpoint = await standin.start();
    config = await writeConfigFile({
      exporters: `  posthog:\n    endpoint: ${endpoint}\n    api_key: phc_dead\n    events: { enabled: false }`,
      pipeline: { exporters: ['posthog'] },
    });
    // Two batches the backend once refused for good.
    const store = new Store(path.join(config.dir, 'logsift.db'), 'normal');
    store.deadLetter('posthog', 2, 'HTTP 400: bad payload', encodeExportRequest(batchOf([{ body: 'refused one' }, { body: 'refused two' }]).toExportRequest()));
    store.deadLetter('posthog', 1, 'HTTP 401: unauthorized', encodeExportRequest(batchOf([{ body: 'stale token' }]).toExportRequest()));
    store.close();
  });
  after(() => standin.stop());

  it('lists, replays into the queue (sent at the next start) and purges', async () => {
    const listed = await runCli(['deadletters', 'list', '--config', config.file, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; exporter: string; records: number; reason: string });
    assert.deepEqual(rows.map((r) => [r.exporter, r.records, r.reason]), [['posthog', 2, 'HTTP 400: bad payload'], ['posthog', 1, 'HTTP 401: unauthorized']]);
    const text = await runCli(['deadletters', 'list', '--config', config.file]);
    assert.match(text.stdout, /posthog +2 records .*HTTP 400: bad payload/);

    const replayed = await runCli(['deadletters', 'replay', String(rows[0]!.id), '--config', config.file]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stdout, /1 dead letter\(s\), 2 records, back in their exporters' queues/);
    const purged = await runCli(['deadletters', 'purge', '--all', '--config', config.file]);
    assert.match(purged.stdout, /^1 dead letter\(s\) deleted/);
    assert.match((await runCli(['deadletters', 'list', '--config', config.file])).stdout, /^no dead letters/);

    // The daemon's next start resumes its queue: the replayed batch arrives.
    const daemon = await startCli(['run', '--config', config.file]);
    await standin.waitForRecords(2);
    assert.deepEqual(standin.bodies().sort(), ['refused one', 'refused two']);
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
  });

  it('says what is wrong: nothing named, both ids and --all, an unknown id', async () => {
    const none = await runCli(['deadletters', 'replay', '--config', config.file]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /which dead letters to replay\? name their ids/);
    const both = await runCli(['deadletters', 'purge', '3', '--all', '--config', config.file]);
    assert.match(both.stderr, /not both/);
    const unknown = await runCli(['deadletters', 'replay', '999', '--config', config.file]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no dead letter 999/);
  });
});
