// What happens when a provider misbehaves: 429 with Retry-After is waited out (on the fake clock for our own
// retries; the openai client waits itself) and the next attempt succeeds; 500s count on the breaker until it
// opens, after which the rules provider authors and the provider is not called; a provider that never answers
// times out on the daemon's clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposal, tunerRig } from '../support/tuner_rig.js';

describe('tuner resilience', () => {
  for (const provider of ['anthropic', 'ollama'] as const) {
    it(`${provider}: waits what Retry-After says on a 429, then succeeds`, async () => {
      const rig = await tunerRig({ tuner: { provider, retries: 2 } });
      try {
        for (let m = 0; m < 4; m++) rig.minute();
        rig.standin.script([{ status: 429, headers: { 'retry-after': '7' }, message: 'rate limited' }, { reply: JSON.stringify(proposal()) }]);
        const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
        assert.equal(outcome.failure, null, outcome.reason);
        assert.equal(outcome.accepted, true, outcome.reason);
        const [first, second] = rig.standin.received.slice(-2);
        assert.equal(second!.at - first!.at, 7000);
      } finally {
        await rig.close();
      }
    });
  }

  it('anthropic: a 429 saying the spend limit is reached is not retried', async () => {
    const rig = await tunerRig({ tuner: { provider: 'anthropic', retries: 3 } });
    try {
      rig.minute();
      rig.standin.script([{ status: 429, headers: { 'retry-after': '1' }, message: 'You have reached your specified workspace API usage limits (spend limit).' }, { reply: JSON.stringify(proposal()) }]);
      const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
      assert.match(outcome.reason, /rate_limited/);
      assert.equal(rig.standin.received.length, 1);
    } finally {
      await rig.close();
    }
  });

  it('openai: the client honours retry-after-ms on a 429 and the retry succeeds', async () => {
    const rig = await tunerRig({ tuner: { provider: 'openai', retries: 2 } });
    try {
      for (let m = 0; m < 4; m++) rig.minute();
      rig.standin.script([{ status: 429, headers: { 'retry-after-ms': '20', 'retry-after': '1' }, message: 'Rate limit reached' }, { reply: JSON.stringify(proposal()) }]);
      const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
      assert.equal(outcome.accepted, true, outcome.reason);
      assert.equal(rig.standin.received.length, 2);
    } finally {
      await rig.close();
    }
  });

  for (const provider of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${provider}: 500s open the breaker, then rules author and the provider is left alone`, async () => {
      const rig = await tunerRig({ tuner: { provider, retries: 0, breaker: { failures: 3, cooldown: '15m' } } });
      try {
        for (let m = 0; m < 4; m++) rig.minute();
        rig.standin.script([{ status: 500, message: 'internal error' }]);
        for (let i = 0; i < 3; i++) {
          const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
          assert.equal(outcome.provider, provider);
          assert.match(outcome.reason, /api|500/);
        }
        assert.equal(rig.tuner.breaker.state, 'open');
        const calls = rig.standin.received.length;
        const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
        assert.equal(outcome.provider, 'rules');
        assert.equal(outcome.failure, null, outcome.reason);
        assert.equal(rig.standin.received.length, calls, 'no call while the breaker is open');
        // After the cooldown one trial call goes out; a success closes the breaker.
        rig.fake.tick(15 * 60_000);
        rig.standin.script([{ reply: JSON.stringify(proposal()) }]);
        const trial = (await rig.drive(rig.tuner.round('checkout', true)))!;
        assert.equal(trial.provider, provider);
        assert.equal(rig.tuner.breaker.state, 'closed');
      } finally {
        await rig.close();
      }
    });
  }

  it('counts validation failures on the breaker too', async () => {
    const rig = await tunerRig({ tuner: { provider: 'ollama', breaker: { failures: 2, cooldown: '15m' } } });
    try {
      rig.minute();
      rig.standin.script([{ reply: 'not json at all' }]);
      await rig.drive(rig.tuner.round('checkout', false));
      assert.equal(rig.tuner.breaker.state, 'closed');
      await rig.drive(rig.tuner.round('checkout', false));
      assert.equal(rig.tuner.breaker.state, 'open');
    } finally {
      await rig.close();
    }
  });

  for (const provider of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${provider}: a provider that never answers times out on the daemon's clock`, async () => {
      const rig = await tunerRig({ tuner: { provider, retries: 0, timeout: '20s' } });
      try {
        rig.minute();
        const policy = rig.traffic().policyFor('checkout');
        rig.standin.script([{ hang: true }]);
        const started = rig.fake.now;
        const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
        assert.match(outcome.reason, /timeout/);
        assert.ok(rig.fake.now - started >= 20_000, `gave up after ${rig.fake.now - started} ms`);
        assert.deepEqual(rig.traffic().policyFor('checkout'), policy);
      } finally {
        await rig.close();
      }
    });
  }
});
