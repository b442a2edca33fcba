// Each LLM provider through its real client (openai, ollama) or our fetch adapter (anthropic) against the
// loopback stand-in speaking its wire format, with scripted replies: a good policy goes live; invalid JSON,
// a schema violation and a truncated reply are refused with the policy in force kept; a reply that zeroes
// everything is clamped to the invariants and errors are still all kept afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { proposal, tunerRig } from '../support/tuner_rig.js';

const PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;

for (const provider of PROVIDERS) {
  describe(`tuner with provider ${provider}`, () => {
    let rig: Awaited<ReturnType<typeof tunerRig>>;
    before(async () => {
      rig = await tunerRig({ tuner: { provider, breaker: { failures: 100 } } });
      for (let m = 0; m < 5; m++) rig.minute();
    });
    after(() => rig.close());

    it('activates a good policy: a new version, live in the sampler, with author, model, tokens and replay report', async () => {
      rig.standin.script([{ reply: JSON.stringify(proposal()) }]);
      const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
      assert.equal(outcome.failure, null, outcome.reason);
      assert.equal(outcome.accepted, true, outcome.reason);
      assert.equal(outcome.provider, provider);
      assert.equal(rig.traffic().policyFor('checkout').version, outcome.version);
      assert.equal(rig.traffic().policyFor('checkout').budget.keep_fraction, 0.06);
      const [, v1] = rig.tuner.versions.history('checkout');
      assert.equal(v1!.author, provider);
      assert.match(v1!.model ?? '', /standin/);
      assert.equal(v1!.tokens_in, 1200);
      assert.equal(v1!.tokens_out, 300);
      assert.match(v1!.prompt_hash ?? '', /^[0-9a-f]{64}$/);
      const calls = (await rig.telemetry.registry.getSingleMetric('logsift_llm_request_duration_seconds')!.get()).values.find((v) => (v as { metricName?: string }).metricName === 'logsift_llm_request_duration_seconds_count' && v.labels.outcome === 'ok');
      assert.deepEqual(calls?.labels, { provider, purpose: 'policy', outcome: 'ok' }, 'the call is timed for the dashboard');
      assert.equal(calls?.value, 1);
      assert.ok(v1!.replay!.candidate.records > 0);
      assert.ok(v1!.replay!.candidate.keep_fraction <= 0.1, JSON.stringify(v1!.replay));
      // The request followed the wire contract.
      const request = rig.standin.received.at(-1)!;
      if (provider === 'openai') {
        assert.equal(request.path, '/v1/chat/completions');
        assert.equal(request.headers.authorization, 'Bearer sk-test-standin');
        const format = request.body.response_format as { type: string; json_schema: { strict: boolean; schema: object } };
        assert.equal(format.type, 'json_schema');
        assert.equal(format.json_schema.strict, true);
      } else if (provider === 'anthropic') {
        assert.equal(request.path, '/v1/messages');
        assert.equal(request.headers['x-api-key'], 'anthropic-test-key');
        assert.equal(request.headers['anthropic-version'], '2023-06-01');
        assert.equal((request.body.output_config as { format: { type: string } }).format.type, 'json_schema');
        assert.equal(typeof request.body.max_tokens, 'number');
      } else {
        assert.equal(request.path, '/api/chat');
        assert.equal(request.body.stream, false);
        assert.equal((request.body.format as { type: string }).type, 'object');
      }
    });

    for (const [name, step, expected] of [
      ['invalid JSON', { reply: '{"mode": "dynamic", "severity_keep": ' }, /invalid_json/],
      ['a schema violation (an unknown key)', { reply: JSON.stringify(proposal({ drop_everything: true })) }, /schema: drop_everything/],
      ['a truncated reply', { reply: JSON.stringify(proposal()).slice(0, 40), truncated: true }, /truncated/],
    ] as const) {
      it(`refuses ${name} and keeps the policy in force`, async () => {
        const before = rig.traffic().policyFor('checkout');
        rig.standin.script([step]);
        const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
        assert.equal(outcome.accepted, false);
        assert.match(outcome.reason, expected);
        assert.deepEqual(rig.traffic().policyFor('checkout'), before);
        assert.match(rig.tuner.versions.rejections('checkout').at(-1)!.reason, expected);
      });
    }

    it('clamps a reply that sets ERROR to 0.01 and everything else to 0; every error is still kept afterwards', async () => {
      const zeroes = proposal({
        severity_keep: { UNSPECIFIED: 0, TRACE: 0, DEBUG: 0, INFO: 0, WARN: 0, ERROR: 0.01, FATAL: 0 },
        budget: { records_per_second: null, bytes_per_second: null, keep_fraction: 0, scope: 'service' },
        first_k_per_window: 0,
        anomaly_boost: { keep: 0, cooldown_seconds: 0 },
        reasoning: 'drop everything',
      });
      rig.fake.tick(60_000);
      rig.standin.script([{ reply: JSON.stringify(zeroes) }]);
      const previous = rig.traffic().policyFor('checkout');
      const outcome = (await rig.drive(rig.tuner.round('checkout', false)))!;
      const paths = outcome.clamps.map((c) => c.path);
      for (const path of ['severity_keep.ERROR', 'severity_keep.FATAL', 'severity_keep.INFO', 'first_k_per_window', 'budget.keep_fraction', 'anomaly_boost.keep']) assert.ok(paths.includes(path), `${path} clamped: ${paths.join(', ')}`);
      const policy = outcome.candidate!;
      assert.equal(policy.severity_keep.ERROR, 1);
      assert.equal(policy.severity_keep.FATAL, 1);
      assert.equal(policy.first_k_per_window, 1);
      // One step moves a fraction by at most max_step (4×) and never under the floor.
      assert.equal(policy.budget.keep_fraction, previous.budget.keep_fraction! / 4);
      assert.equal(policy.severity_keep.INFO, Math.max(rig.config.guard.min_keep, previous.severity_keep.INFO! / 4));
      // Whether or not it went live, errors are all kept afterwards.
      const errorsBefore = rig.kept.filter((k) => k.severity >= 17).length;
      rig.minute();
      rig.minute();
      assert.equal(rig.kept.filter((k) => k.severity >= 17).length - errorsBefore, 2);
    });
  });
}
