// Alerts outlive a restart: a firing alert and a notification still waiting for a destination that was down
// are kept in the store; the daemon started again on the same data dir lists the alert, delivers what waited
// once the destination is back, and — the detector that found it starting afresh — resolves the alert on the
// same PagerDuty dedup_key once its grace passes with nothing found again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { alertsDaemonConfig, sendOrders, steadyThenSpike } from '../support/alert_daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { pagerDutyStandIn, slackStandIn, type PagerDutyEvent, type SlackMessage, type StandIn } from '../support/alert_standins.js';
import { untilTurns as until } from '../support/io_turns.js';

const W = 60_000;

describe('alerts across a restart', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-alerts-restart-'));
  const { fake, clock } = fakeClock();
  let daemon: TestDaemon | undefined;
  let slack: StandIn<SlackMessage>;
  let pagerduty: StandIn<PagerDutyEvent>;
  let config: string;

  before(async () => {
    fake.setSystemTime(Math.ceil(fake.now / W) * W);
    slack = await slackStandIn();
    pagerduty = await pagerDutyStandIn();
    config = alertsDaemonConfig(['group_wait: 10s', 'restored_grace: 5m', 'retry: { initial_interval: 1s, max_interval: 5s }', `slack: [{ name: ops, url: "${slack.url}" }]`, `pagerduty: [{ name: oncall, routing_key: R0UT1NGKEY0123456789ABCDEFGHIJKL, url: "${pagerduty.url}" }]`], '{}', dir);
  });
  after(async () => {
    await daemon?.stop();
    await slack?.close();
    await pagerduty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the alert again, delivers what waited, and resolves it on the same dedup_key', async () => {
    daemon = await startDaemon(config, { clock });
    slack.answerAll({ status: 500, body: 'rollup_error' });
    await steadyThenSpike(daemon, fake);
    await sendOrders(daemon, 40, 11);
    await fake.tickAsync(11_000);
    await until('PagerDuty was told', () => pagerduty.received.length, (n) => n === 1);
    await until('Slack was tried and failed', () => slack.requests.length, (n) => n >= 1);
    const before = (await (await fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts`)).json()) as { open: Array<{ id: string }> };
    await daemon.stop();

    slack.answerAll(undefined);
    daemon = await startDaemon(config, { clock });
    const listed = (await (await fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts`)).json()) as { open: Array<{ id: string; status: string; findings: Array<{ kind: string }> }> };
    assert.deepEqual(listed.open.map((a) => [a.id, a.status, a.findings.map((f) => f.kind).join()]), [[before.open[0]!.id, 'firing', 'spike']]);
    await fake.tickAsync(1_000);
    await until('Slack got what waited for it', () => slack.received.length, (n) => n === 1);
    assert.match(slack.received[0]!.text, /^\[FIRING:error\] checkout: spike on 1 pattern$/);
    assert.equal(pagerduty.received.length, 1, 'PagerDuty, told before the restart, is not told again');

    // Usual traffic, nothing found again: the restored finding closes after its grace and the alert resolves.
    for (let window = 0; window < 6; window++) {
      await sendOrders(daemon, 40, 20 + window);
      await fake.tickAsync(W);
    }
    await until('PagerDuty got the resolve', () => pagerduty.received.length, (n) => n === 2);
    assert.deepEqual([pagerduty.received[1]!.event_action, pagerduty.received[1]!.dedup_key], ['resolve', pagerduty.received[0]!.dedup_key]);
    assert.deepEqual([...slack.violations, ...pagerduty.violations], []);
  });
});
