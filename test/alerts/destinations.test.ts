// Alerts to their destinations, against loopback stand-ins that check each service's contract, on a fake
// clock: Slack gets a Block Kit message with its fallback; PagerDuty a trigger, then a resolve on the same
// dedup_key, and a 429 is sent again 30 s later; the generic webhook Alertmanager's v4 payload, signed. A
// destination down for an hour while the alert changed ten times gets the alert once, as it stands, when it
// returns — nothing lost, no storm — and is marked broken meanwhile; a Slack channel gone is broken at once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Alert, Notification } from '../../alerts/alert_engine.js';
import { DeliveryLog, Outbox } from '../../alerts/delivery.js';
import { PagerDutyDestination, SlackDestination, WebhookDestination, type Destination } from '../../alerts/destinations.js';
import { pagerDutyStandIn, slackStandIn, webhookStandIn, type StandIn } from '../support/alert_standins.js';
import { fakeClock } from '../support/fake_clock.js';

const M = 60_000;

function alert(over: Partial<Alert> = {}): Alert {
  const start = Date.UTC(2026, 11, 3, 12);
  return {
    id: 'alert-1',
    groupKey: 'checkout',
    service: 'checkout',
    pattern: null,
    status: 'firing',
    severity: 'critical',
    findings: [
      { id: 'f1', kind: 'spike', service: 'checkout', pattern: 'a1b2c3d4e5f60718', start, end: null, observed: 900, expected: 40, score: 31, error: false },
      { id: 'f2', kind: 'error_ratio', service: 'checkout', pattern: '', start: start + 5000, end: null, observed: 0.4, expected: 0.02, score: 12, error: true },
    ],
    openedAt: start,
    resolvedAt: null,
    notifiedAt: null,
    changedSinceNotified: false,
    notifications: 0,
    ...over,
  };
}

const note = (reason: Notification['reason'], over: Partial<Alert> = {}): Notification => ({ alert: alert(over), reason, at: Date.now() });

/** Waits on I/O turns (never on time) until `check` holds. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let turns = 0; !check(); turns++) {
    if (turns > 20_000) assert.fail(`${what}: not reached`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function outboxFor(destination: Destination, clock: ReturnType<typeof fakeClock>['clock'], log = new DeliveryLog()) {
  const outbox = new Outbox(destination, { retry: { initialMs: 5000, maxMs: 5 * M }, timeoutMs: 10_000, brokenAfterMs: 15 * M }, clock, pino({ level: 'silent' }), (e) => log.add(e), () => undefined);
  return { outbox, log };
}

describe('alert destinations', () => {
  const standIns: Array<StandIn<unknown>> = [];
  const outboxes: Outbox[] = [];
  after(async () => {
    for (const o of outboxes) o.stop();
    for (const s of standIns) await s.close();
  });

  it('sends Slack a Block Kit message with its text fallback', async () => {
    const { fake, clock } = fakeClock();
    const slack = await slackStandIn();
    standIns.push(slack as StandIn<unknown>);
    const { outbox } = outboxFor(new SlackDestination('slack/ops', slack.url, []), clock);
    outboxes.push(outbox);
    const opened = alert().openedAt;
    outbox.enqueue(note('new', { changes: [{ kind: 'policy', at: opened - 12 * M, version: 7 }] }));
    await fake.tickAsync(0);
    await until('Slack got it', () => slack.received.length === 1);
    assert.match(slack.received[0]!.blocks[1]!.text.text, /sampling policy version 7 went live at .*, 12 min before/, 'what changed just before');
    assert.deepEqual(slack.violations, []);
    assert.match(slack.received[0]!.text, /^\[FIRING:critical\] checkout: spike, error_ratio on 1 pattern$/);
    assert.match(slack.received[0]!.blocks[1]!.text.text, /spike on pattern a1b2c3d4e5f60718 since .*: 900 per window against 40 expected/);
  });

  it('sends PagerDuty a trigger, then a resolve on the same dedup_key, and sends a rate-limited event again 30 s later', async () => {
    const { fake, clock } = fakeClock();
    const pd = await pagerDutyStandIn();
    standIns.push(pd as StandIn<unknown>);
    const { outbox, log } = outboxFor(new PagerDutyDestination('pagerduty/oncall', pd.url, 'R0UT1NGKEY0123456789ABCDEFGHIJKL', []), clock);
    outboxes.push(outbox);
    pd.script({ status: 429, body: '{"status":"throttle event"}' });
    outbox.enqueue(note('new'));
    await fake.tickAsync(0);
    await until('the 429 was answered', () => pd.requests.length === 1);
    await fake.tickAsync(29_999);
    assert.equal(pd.requests.length, 1, 'not before 30 s');
    await fake.tickAsync(1);
    await until('the trigger was taken', () => pd.received.length === 1);
    outbox.enqueue(note('resolved', { status: 'resolved' }));
    await fake.tickAsync(0);
    await until('the resolve was taken', () => pd.received.length === 2);
    assert.deepEqual(pd.violations, []);
    const [trigger, resolve] = pd.received;
    assert.deepEqual([trigger!.event_action, resolve!.event_action], ['trigger', 'resolve']);
    assert.equal(resolve!.dedup_key, trigger!.dedup_key);
    assert.deepEqual([trigger!.payload!.severity, trigger!.payload!.source, trigger!.payload!.component], ['critical', 'logsift', 'checkout']);
    await until('both deliveries logged', () => log.list({}).length === 3);
    assert.deepEqual(log.list({}).map((e) => e.outcome).reverse(), ['retry', 'delivered', 'delivered']);
  });

  it('sends the generic webhook Alertmanager\'s v4 payload, signed', async () => {
    const { fake, clock } = fakeClock();
    const secret = 'a-shared-secret-of-some-length';
    const hook = await webhookStandIn(secret);
    standIns.push(hook as StandIn<unknown>);
    const { outbox } = outboxFor(new WebhookDestination('webhook/tools', hook.url, secret, [], 'http://logsift.example:13133'), clock);
    outboxes.push(outbox);
    outbox.enqueue(note('new'));
    await fake.tickAsync(0);
    await until('the webhook got it', () => hook.received.length === 1);
    assert.deepEqual(hook.violations, []);
    const payload = hook.received[0]!;
    assert.deepEqual([payload.status, payload.alerts.length, payload.alerts[0]!.labels.kind, payload.alerts[0]!.endsAt], ['firing', 2, 'spike', '0001-01-01T00:00:00Z']);
    const forged = await webhookStandIn('another secret, not the one used');
    standIns.push(forged as StandIn<unknown>);
    const { outbox: wrong } = outboxFor(new WebhookDestination('webhook/forged', forged.url, secret, [], ''), clock);
    outboxes.push(wrong);
    wrong.enqueue(note('new'));
    await fake.tickAsync(0);
    await until('the forged one was refused', () => forged.requests.length === 1);
    assert.deepEqual(forged.violations, ['webhook: the signature does not verify'], 'the stand-in can tell');
  });

  it('delivers once, as the alert stands, to a destination that was down for an hour; broken meanwhile', async () => {
    const { fake, clock } = fakeClock();
    const slack = await slackStandIn();
    standIns.push(slack as StandIn<unknown>);
    const { outbox, log } = outboxFor(new SlackDestination('slack/down', slack.url, []), clock);
    outboxes.push(outbox);
    slack.answerAll({ status: 500, body: 'rollup_error' });
    for (let i = 0; i < 10; i++) {
      // Only the last state is critical: what arrives must be it.
      outbox.enqueue(note(i === 0 ? 'new' : 'changed', { severity: i === 9 ? 'critical' : 'error' }));
      await fake.tickAsync(6 * M);
      await until('the attempt was answered', () => log.list({}).length > 0);
    }
    assert.equal(outbox.state().broken, true, 'failing past broken_after');
    assert.equal(outbox.state().waiting, 1, 'one notification waits: the newest');
    const attemptsWhileDown = slack.requests.length;
    slack.answerAll(undefined);
    // The next try is at most max_interval (5m) and its jitter away.
    await fake.tickAsync(7 * M);
    await until('delivered once it is back', () => slack.received.length === 1);
    await fake.tickAsync(10 * M);
    assert.equal(slack.received.length, 1, 'once, not ten times');
    assert.ok(attemptsWhileDown <= 25, `backed off while down (${attemptsWhileDown} attempts in an hour)`);
    assert.equal(outbox.state().broken, false);
    assert.match(slack.received[0]!.text, /^\[FIRING:critical\]/, 'the alert as it stands, not as it first was');
    assert.equal(log.list({}).filter((e) => e.outcome === 'delivered').length, 1);
  });

  it('marks a destination broken at once when Slack says the channel is gone', async () => {
    const { fake, clock } = fakeClock();
    const slack = await slackStandIn();
    standIns.push(slack as StandIn<unknown>);
    const { outbox, log } = outboxFor(new SlackDestination('slack/gone', slack.url, []), clock);
    outboxes.push(outbox);
    slack.script({ status: 404, body: 'channel_not_found' });
    outbox.enqueue(note('new'));
    await fake.tickAsync(0);
    await until('answered', () => slack.requests.length === 1);
    await until('logged', () => log.list({}).length === 1);
    assert.deepEqual([outbox.state().broken, log.list({})[0]!.outcome, log.list({})[0]!.status], [true, 'failed', 404]);
    assert.match(outbox.state().broken_reason!, /channel_not_found/);
  });
});
