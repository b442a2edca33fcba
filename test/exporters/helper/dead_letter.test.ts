// A queued batch the backend refuses for good leaves the queue table in the same transaction as it enters
// the dead letters: were the daemon to die between two separate writes, the restart would send the
// dead-lettered batch again. The crash is stood in for by queue removals that never happen.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { mergeDefaults } from '../../../config/merge.js';
import { posthogExporterFactory } from '../../../exporters/posthog/factory.js';
import type { PosthogExporterConfig } from '../../../exporters/posthog/config.js';
import { encodeExportRequest } from '../../../proto/otlp.js';
import { Store } from '../../../store/store.js';
import { PosthogStandin } from '../../support/posthog_standin.js';
import { batchOf } from '../../support/records.js';
import { testSettings } from '../../support/settings.js';

describe('dead letters', () => {
  const standin = new PosthogStandin();
  let endpoint: string;
  before(async () => {
    endpoint = await standin.start();
  });
  after(() => standin.stop());

  for (const persistent of [true, false]) {
    it(`a refused batch ${persistent ? 'from the persistent queue' : 'recovered from the store'} leaves the queue with its dead letter, in one write`, async () => {
      const settings = testSettings('posthog');
      const config = mergeDefaults(posthogExporterFactory.defaultConfig(), {
        endpoint,
        api_key: 'phc_dead',
        events: { enabled: false },
        sending_queue: { persistent, num_consumers: 1 },
      }) as PosthogExporterConfig;
      const store = settings.store.get();
      // A batch left by an earlier run (the memory queue spills to the store at shutdown).
      if (!persistent) store.enqueue('posthog', 1, encodeExportRequest(batchOf([{ body: 'left over' }]).toExportRequest()));
      // No separate queue removal happens after this point, as if the process died right after the dead letter.
      const remove = Store.prototype.remove;
      store.remove = () => undefined;
      standin.scripted.push(400);
      const exporter = posthogExporterFactory.create(settings, config);
      await exporter.start();
      const attempt = once(standin, 'attempt');
      if (persistent) await exporter.export(batchOf([{ body: 'refused' }]));
      await attempt;
      // The answer is in; its dead letter follows within a few turns of the event loop.
      for (let i = 0; i < 100_000 && store.deadLetteredRecords('posthog') === 0; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(store.deadLetteredRecords('posthog'), 1);
      assert.deepEqual(store.pending('posthog'), [], 'the refused batch is no longer queued: a restart would not send it again');
      store.remove = remove;
      await exporter.shutdown();
    });
  }
});
