// The tuner's schedule on fake timers: rounds come every interval (± jitter), a round is skipped when its
// inputs have not changed, when the hour's calls are spent or when the service changed too recently; and a
// change is rolled back when an anomaly or a budget breach follows it within the watch window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposal, tunerRig } from '../support/tuner_rig.js';

describe('tuner schedule', () => {
  it('rounds every interval plus jitter; unchanged inputs and spent calls skip the call', async () => {
    const rig = await tunerRig({ tuner: { provider: 'ollama', interval: '5m', jitter: 0.1, max_calls_per_hour: 2, min_change_interval: '1h' }, random: () => 1 });
    try {
      rig.standin.script([{ reply: 'not json' }]);
      rig.tuner.start();
      // random() = 1: the wait is the interval + 10%, 330 s.
      for (let m = 0; m < 5; m++) rig.minute();
      rig.fake.tick(29_000);
      assert.equal(rig.standin.received.length, 0, 'no round before 330 s');
      rig.fake.tick(1000);
      await rig.until(async () => (await rig.rounds('failed')) === 1);
      assert.equal(rig.standin.received.length, 1);

      // The same traffic again: nothing to ask about.
      for (let m = 0; m < 5; m++) rig.minute();
      rig.fake.tick(30_000);
      await rig.until(async () => (await rig.rounds('skipped_unchanged')) === 1);
      assert.equal(rig.standin.received.length, 1);

      // Four times the volume: a new question, the second call of the hour.
      for (let m = 0; m < 5; m++) rig.minute('checkout', 4);
      rig.fake.tick(30_000);
      await rig.until(async () => (await rig.rounds('failed')) === 2);
      assert.equal(rig.standin.received.length, 2);

      // Changed again, but the hour's two calls are spent.
      for (let m = 0; m < 5; m++) rig.minute('checkout', 16);
      rig.fake.tick(30_000);
      await rig.until(async () => (await rig.rounds('skipped_call_limit')) === 1);
      assert.equal(rig.standin.received.length, 2);
    } finally {
      await rig.close();
    }
  });

  it('leaves a service alone for min_change_interval after a change', async () => {
    const rig = await tunerRig({ tuner: { provider: 'rules', interval: '5m', jitter: 0, min_change_interval: '12m' } });
    try {
      rig.tuner.start();
      // Rounds at 5, 10, 15 and 20 minutes: the first changes the policy (the rules raise the budget toward
      // the target), the next two come too soon after it, the fourth runs.
      for (let m = 0; m < 22; m++) {
        rig.minute('checkout', 3);
        await rig.tuner.idle();
      }
      const ran = async () => (await rig.rounds('accepted')) + (await rig.rounds('rejected')) + (await rig.rounds('unchanged'));
      assert.equal(rig.tuner.versions.history('checkout').filter((v) => v.author === 'rules').length >= 1, true);
      assert.equal(Date.parse(rig.tuner.versions.history('checkout')[1]!.created_at) - Date.UTC(2026, 10, 26), 5 * 60_000);
      assert.equal(await rig.rounds('skipped_min_interval'), 2);
      assert.equal(await ran(), 2);
    } finally {
      await rig.close();
    }
  });

  it('rolls a change back when an anomaly follows it within the watch window', async () => {
    const rig = await tunerRig({ tuner: { provider: 'anthropic', interval: '1h', watch: { window: '10m' } } });
    try {
      for (let m = 0; m < 8; m++) rig.minute();
      rig.standin.script([{ reply: JSON.stringify(proposal()) }]);
      const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
      assert.equal(outcome.version, 1, outcome.reason);
      rig.tuner.start();
      rig.minute();
      assert.equal(rig.traffic().policyFor('checkout').version, 1, 'calm traffic: the change stays');
      // A burst of a new kind of failure: the anomaly processor opens a finding, the watch rolls back.
      for (let i = 0; i < 6; i++) {
        rig.send(Array.from({ length: 200 }, (_, k) => ({ body: `connection reset by peer on shard ${k % 7}`, severity: 13 })));
        rig.fake.tick(5000);
      }
      const live = rig.traffic().policyFor('checkout');
      assert.equal(live.version, 2);
      const history = rig.tuner.versions.history('checkout');
      assert.equal(history.at(-1)!.author, 'rollback');
      assert.match(history.at(-1)!.reasoning, /rollback to version 0: .*anomaly/);
      assert.deepEqual({ ...live, version: 0, reasoning: '' }, { ...history[0]!.policy, reasoning: '' });
    } finally {
      await rig.close();
    }
  });

  it('rolls a change back when the live sampler keeps far more than the replay promised', async () => {
    // The sampler reads patterns from `test.pattern`, which the anomaly detector (on the miner's patterns)
    // does not see: a flood of one-off patterns after the change is kept (each is a first occurrence) without
    // an anomaly opening — the change is judged on its spending alone.
    const rig = await tunerRig({ sampler: { pattern_attribute: 'test.pattern' }, tuner: { provider: 'rules', interval: '1h', watch: { window: '10m', budget_tolerance: 1.5, min_records: 500 } } });
    try {
      for (let m = 0; m < 8; m++) rig.minute();
      const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
      assert.equal(outcome.version, 1, outcome.reason);
      rig.tuner.start();
      rig.minute();
      assert.equal(rig.traffic().policyFor('checkout').version, 1, 'calm traffic: the change stays');
      // The usual lines at the usual volume (no spike for the detector), each under a pattern of its own.
      let n = 0;
      const oneOff = (body: string, severity: number) => ({ body, severity, attributes: { 'test.pattern': `one-off-${n++}` } });
      for (let part = 0; part < 24; part++) {
        const lines = [
          ...Array.from({ length: 10 }, (_, i) => oneOff(`GET /api/cart/${i} returned 200 in ${i} ms`, 9)),
          ...Array.from({ length: 7 }, (_, i) => oneOff(`cache hit for sku ${1000 + i}`, 5)),
          ...Array.from({ length: 5 }, (_, i) => oneOff(`user session ${i} refreshed`, 9)),
          ...Array.from({ length: 3 }, (_, i) => oneOff(`queue depth is ${i}`, 9)),
        ];
        rig.send(lines);
        rig.fake.tick(10_000);
      }
      assert.equal(rig.traffic().policyFor('checkout').version, 2);
      assert.match(rig.tuner.versions.history('checkout').at(-1)!.reasoning, /budget breach/);
      assert.equal(await rig.rounds('rolled_back'), 1);
    } finally {
      await rig.close();
    }
  });
});
