// From traffic to a page, in one daemon on a fake clock: records through signature → ratestats → anomaly; a
// spike opens a finding; the alerts extension tells Slack and PagerDuty (stand-ins checking their contracts)
// once, after group_wait; the control API lists the alert and its findings; a snooze silences it; when the
// spike is over the alert resolves and PagerDuty gets the resolve on the same dedup_key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { alertsDaemonConfig, sendOrders, steadyThenSpike } from '../support/alert_daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { pagerDutyStandIn, slackStandIn, type StandIn, type SlackMessage, type PagerDutyEvent } from '../support/alert_standins.js';
import { untilTurns as until } from '../support/io_turns.js';

const W = 60_000;

describe('alerts from traffic', { timeout: 60_000 }, () => {
  const { fake, clock } = fakeClock();
  let daemon: TestDaemon;
  let slack: StandIn<SlackMessage>;
  let pagerduty: StandIn<PagerDutyEvent>;
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts${path}`, init);
  const send = (n: number, seed: number) => sendOrders(daemon, n, seed);

  before(async () => {
    fake.setSystemTime(Math.ceil(fake.now / W) * W);
    slack = await slackStandIn();
    pagerduty = await pagerDutyStandIn();
    daemon = await startDaemon(
      alertsDaemonConfig(['group_wait: 10s', 'links: { pattern: "https://eu.posthog.com/project/7/logs?pattern={pattern_id}&service={service}" }', `slack: [{ name: ops, url: "${slack.url}" }]`, `pagerduty: [{ name: oncall, routing_key: R0UT1NGKEY0123456789ABCDEFGHIJKL, url: "${pagerduty.url}" }]`], '{ catalog: { flush_interval: 5s } }'),
      { clock },
    );
  });
  after(async () => {
    await daemon?.stop();
    await slack?.close();
    await pagerduty?.close();
  });

  it('pages once for a spike, lists it, and resolves it when the spike is over', async () => {
    // A steady pattern for ten windows, then twenty times as much, announced when its window ends; then as usual.
    await steadyThenSpike(daemon, fake);
    await send(40, 11);
    const listing = await until('the spike is an open alert', async () => (await (await api('')).json()) as { open: Array<{ id: string; status: string; findings: Array<{ kind: string }> }> }, (l) => l.open.length === 1);
    assert.deepEqual(listing.open[0]!.findings.map((f) => f.kind), ['spike']);
    assert.equal(slack.received.length, 0, 'nothing before group_wait');
    await fake.tickAsync(11_000);
    await until('Slack and PagerDuty were told', () => slack.received.length + pagerduty.received.length, (n) => n === 2);
    assert.deepEqual([...slack.violations, ...pagerduty.violations], []);
    assert.match(slack.received[0]!.text, /^\[FIRING:error\] checkout: spike on 1 pattern$/);
    assert.match(slack.received[0]!.blocks[1]!.text.text, /spike on pattern [0-9a-f]{16} `order <\*> placed in <\*> ms` since .*: 800 per window/, 'the pattern\'s template comes with it');
    // With it: the lines kept while it was open, the release just before it, and where to see the pattern.
    const slackText = slack.received[0]!.blocks.map((b) => b.text.text).join('\n');
    assert.match(slackText, /\n {4}`\S+ INFO order 1[01]\d{4} placed in \d+ ms`/, 'sample lines under the finding');
    assert.match(slackText, /• service\.version became 1\.5\.0 \(was 1\.4\.0\) at \S+, 1 min before/);
    assert.match(slackText, /<https:\/\/eu\.posthog\.com\/project\/7\/logs\?pattern=[0-9a-f]{16}&service=checkout\|see the pattern>/);
    assert.equal(pagerduty.received[0]!.event_action, 'trigger');
    assert.match(pagerduty.received[0]!.links![0]!.href, /^https:\/\/eu\.posthog\.com\/project\/7\/logs\?pattern=[0-9a-f]{16}&service=checkout$/);
    const details = pagerduty.received[0]!.payload!.custom_details as { changes_before: Array<{ kind: string; key: string; to: string }>; findings: Array<{ sample_lines: unknown[] }> };
    assert.deepEqual(details.changes_before.map((c) => [c.kind, c.key, c.to]), [['resource', 'service.version', '1.5.0']]);
    assert.equal(details.findings[0]!.sample_lines.length, 3);
    const firing = (await (await api(`/${listing.open[0]!.id}`)).json()) as { status: string; notifications: number; explanation: { status: string; causes: Array<{ evidence: string[] }> } };
    assert.deepEqual([firing.status, firing.notifications], ['firing', 1]);
    // The built-in author names the release as the probable cause, resting on the change and the finding.
    assert.deepEqual([firing.explanation.status, firing.explanation.causes[0]!.evidence], ['explained', ['C1', 'F1']]);

    const snoozed = await api(`/${listing.open[0]!.id}/snooze`, { method: 'POST', body: JSON.stringify({ duration: '1h', created_by: 'sre' }) });
    assert.equal(snoozed.status, 201);
    const silences = (await (await api('/silences')).json()) as { silences: Array<{ matchers: Record<string, string>; state: string }> };
    assert.deepEqual(silences.silences.map((s) => [s.matchers.service, s.state]), [['checkout', 'active']]);

    // Back to normal: the finding closes after its quiet windows, and the alert resolves.
    await fake.tickAsync(W - 11_000);
    for (let window = 12; window < 15; window++) {
      await send(40, window);
      await fake.tickAsync(W);
    }
    await fake.tickAsync(2_000);
    await until('PagerDuty got the resolve', () => pagerduty.received.length, (n) => n === 2);
    assert.deepEqual([pagerduty.received[1]!.event_action, pagerduty.received[1]!.dedup_key], ['resolve', pagerduty.received[0]!.dedup_key]);
    const after = (await (await api('')).json()) as { open: unknown[]; resolved: Array<{ status: string }> };
    assert.deepEqual([after.open.length, after.resolved[0]!.status], [0, 'resolved']);
    const deliveries = (await (await api('/deliveries')).json()) as { deliveries: Array<{ outcome: string }> };
    assert.ok(deliveries.deliveries.every((d) => d.outcome === 'delivered'));
  });
});

describe('alerts in quiet hours', { timeout: 60_000 }, () => {
  const { fake, clock } = fakeClock();
  let daemon: TestDaemon;
  let slack: StandIn<SlackMessage>;
  const send = (n: number, seed: number) => sendOrders(daemon, n, seed);

  before(async () => {
    // Thursday 00:00 UTC; quiet until 00:12.
    fake.setSystemTime(Date.UTC(2026, 10, 26));
    slack = await slackStandIn();
    daemon = await startDaemon(
      alertsDaemonConfig(['group_wait: 10s', 'quiet_hours: { intervals: [{ weekdays: [thursday], from: "00:00", to: "00:12" }], time_zone: UTC }', `slack: [{ name: ops, url: "${slack.url}" }]`]),
      { clock },
    );
  });
  after(async () => {
    await daemon?.stop();
    await slack?.close();
  });

  it('holds an alert until the quiet hours end, and sends it then, as it stands', async () => {
    // A spike from 00:10 that lasts past the quiet hours.
    await steadyThenSpike(daemon, fake); // 00:11, the spike announced
    await send(800, 11);
    await fake.tickAsync(50_000); // 00:11:50
    const open = (await (await fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts`)).json()) as { open: Array<{ status: string }> };
    assert.deepEqual(open.open.map((a) => a.status), ['firing'], 'decided, not sent');
    assert.equal(slack.received.length, 0, 'held while quiet');
    await fake.tickAsync(12_000); // past 00:12
    await until('sent once the quiet hours ended', () => slack.received.length, (n) => n === 1);
    assert.match(slack.received[0]!.text, /^\[FIRING:error\] checkout: spike/);
  });
});
