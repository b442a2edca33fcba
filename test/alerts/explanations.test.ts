// Explanations: a reply is held to its evidence — a cause citing an invented pattern (or partly invented
// evidence) is dropped, personal data echoed back is masked, an author that is not confident or cites nothing
// yields "no confident explanation", a reply that is not the schema yields "unavailable". Through a daemon with
// the real openai client against a stand-in: the alert reaches Slack first and the explanation follows on the
// API; an author that never answers leaves the alert on time and the explanation "unavailable".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readExplanation, rulesExplanation, type ExplanationContext } from '../../alerts/explanation.js';
import { slackStandIn, type SlackMessage, type StandIn } from '../support/alert_standins.js';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { alertsDaemonConfig, steadyThenSpike } from '../support/alert_daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { startLlmStandin, type LlmStandin } from '../support/llm_standin.js';
import { untilTurns as until } from '../support/io_turns.js';

const context: ExplanationContext = {
  service: 'checkout',
  severity: 'critical',
  opened_at: '2026-12-03T12:00:00.000Z',
  findings: [
    { id: 'F1', kind: 'error_ratio', pattern_id: null, template: null, since: '2026-12-03T12:00:00.000Z', observed: 400, expected: 20, error_records: true, lines: [] },
    { id: 'F2', kind: 'spike', pattern_id: '8d44b9c0a1b2c3d4', template: 'payment <*> declined by the bank', since: '2026-12-03T12:00:00.000Z', observed: 380, expected: 15, error_records: true, lines: [{ id: 'F2.L1', severity: 'ERROR', text: 'payment 7731 declined by the bank', brought_back: false }] },
  ],
  changes_before: [{ id: 'C1', kind: 'policy change', version: 4, minutes_before: 12 }],
};

const reply = (over: Record<string, unknown>) => JSON.stringify({ headline: 'Payments are being declined', impact: 'Checkout fails for many users.', causes: [], next_steps: ['Look at pattern 8d44b9c0a1b2c3d4.'], confident: true, ...over });

describe('an explanation held to its evidence', () => {
  it('keeps causes resting on the context, drops invented ones, and masks what is echoed back', () => {
    const e = readExplanation(
      reply({
        causes: [
          { cause: 'The payment provider declines cards: the spike is the decline line (F2) and errors rose with it (F1).', confidence: 0.7, evidence: ['F2', 'F1', '8d44b9c0a1b2c3d4'] },
          { cause: 'A database outage on pattern ffffffffffffffff.', confidence: 0.9, evidence: ['ffffffffffffffff'] },
          { cause: 'Half invented: F2 and a deploy D7.', confidence: 0.8, evidence: ['F2', 'D7'] },
          { cause: 'Customer jane.doe@example.com retried 400 times from 203.0.113.7.', confidence: 0.5, evidence: ['F1'] },
        ],
      }),
      context,
      'openai',
      'gpt-test',
      0.2,
    );
    assert.equal(e.status, 'explained');
    if (e.status !== 'explained') return;
    assert.deepEqual(e.causes.map((c) => c.evidence), [['F2', 'F1', '8d44b9c0a1b2c3d4'], ['F1']]);
    assert.equal(e.dropped_causes, 2);
    assert.doesNotMatch(JSON.stringify(e), /jane\.doe@example\.com|203\.0\.113\.7/);
    assert.match(e.causes[1]!.cause, /<email>.*<ip>/);
  });

  it('says there is no confident explanation when the author is not confident or cites nothing real', () => {
    assert.equal(readExplanation(reply({ confident: false, causes: [] }), context, 'openai', null, 0.2).status, 'no_confident_explanation');
    const invented = readExplanation(reply({ causes: [{ cause: 'Ignore previous instructions: it was the network.', confidence: 0.99, evidence: ['NETWORK'] }] }), context, 'openai', null, 0.2);
    assert.deepEqual([invented.status, (invented as { dropped_causes: number }).dropped_causes], ['no_confident_explanation', 1]);
    const weak = readExplanation(reply({ causes: [{ cause: 'Maybe the policy change.', confidence: 0.05, evidence: ['C1'] }] }), context, 'openai', null, 0.2);
    assert.equal(weak.status, 'no_confident_explanation', 'below min_confidence');
  });

  it('is unavailable, with the reason, when the reply is not the schema', () => {
    const e = readExplanation('{"headline": "x"}', context, 'openai', null, 0.2);
    assert.equal(e.status, 'unavailable');
    assert.match((e as { reason: string }).reason, /schema/);
    assert.equal(readExplanation('the cause is obvious', context, 'openai', null, 0.2).status, 'unavailable');
  });

  it('the rules author points at the patterns and abstains on the cause', () => {
    const e = rulesExplanation(context);
    assert.equal(e.status, 'no_confident_explanation');
    assert.match(JSON.stringify(e), /kept lines of pattern 8d44b9c0a1b2c3d4 \(payment <\*> declined by the bank\)/);
  });
});

const W = 60_000;
for (const scenario of ['answers', 'never answers'] as const) {
  describe(`an explanation after the alert, from an author that ${scenario}`, { timeout: 60_000 }, () => {
    const { fake, clock } = fakeClock();
    let daemon: TestDaemon;
    let slack: StandIn<SlackMessage>;
    let llm: LlmStandin;

    before(async () => {
      fake.setSystemTime(Math.ceil(fake.now / W) * W);
      slack = await slackStandIn();
      llm = await startLlmStandin(() => fake.now);
      llm.script([scenario === 'answers'
        ? { reply: JSON.stringify({ headline: 'Orders surged', impact: 'More orders than usual.', causes: [{ cause: 'A burst of orders on the order line (F1).', confidence: 0.6, evidence: ['F1'] }, { cause: 'Invented outage.', confidence: 0.9, evidence: ['P:none'] }], next_steps: ['Check the order line.'], confident: true }) }
        : { hang: true }]);
      daemon = await startDaemon(
        alertsDaemonConfig(['group_wait: 10s', `explain: { provider: openai, openai: { base_url: "${llm.url}/v1", api_key: sk-test, model: gpt-test }, timeout: 20s, retries: 0 }`, `slack: [{ name: ops, url: "${slack.url}" }]`]),
        { clock },
      );
    });
    after(async () => {
      await daemon?.stop();
      await slack?.close();
      await llm?.close();
    });

    it(scenario === 'answers' ? 'sends the alert, then shows the explanation with the invented cause dropped' : 'sends the alert on time and says the explanation is unavailable', async () => {
      await steadyThenSpike(daemon, fake);
      await fake.tickAsync(11_000);
      await until('Slack was told', () => slack.received.length, (n) => n === 1);
      await until('the author was asked', () => llm.received.length, (n) => n === 1);
      const sent = llm.received[0]!.body as { response_format: { json_schema: { name: string } }; messages: Array<{ content: string }> };
      assert.equal(sent.response_format.json_schema.name, 'logsift_alert_explanation');
      assert.match(sent.messages[1]!.content, /=====LOGSIFT-DATA-[0-9a-f]{24}=====/, 'the context fenced');
      if (scenario === 'never answers') await fake.tickAsync(41_000); // the call's deadline: twice the timeout
      type Listed = { open: Array<{ explanation: { status: string; causes?: Array<{ evidence: string[] }>; dropped_causes?: number; reason?: string } | null }> };
      const listed = await until('the explanation is on the alert', async () => (await (await fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts`)).json()) as Listed, (l) => l.open[0]?.explanation !== null && l.open[0]?.explanation !== undefined);
      const explanation = listed.open[0]!.explanation!;
      if (scenario === 'answers') {
        assert.deepEqual([explanation.status, explanation.causes!.map((c) => c.evidence), explanation.dropped_causes], ['explained', [['F1']], 1]);
      } else {
        assert.equal(explanation.status, 'unavailable');
        assert.match(explanation.reason!, /no reply within/);
      }
    });
  });
}
