// `logsift alerts test|list|silence` against a running daemon with the alerts extension: the test alert
// reaches Slack and PagerDuty (stand-ins checking their contracts) and the command prints what each answered
// (and fails when one did not take it); list and silence speak to the control API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';
import { pagerDutyStandIn, slackStandIn, type PagerDutyEvent, type SlackMessage, type StandIn } from '../support/alert_standins.js';

describe('logsift alerts', { timeout: 60_000 }, () => {
  let daemon: TestDaemon;
  let slack: StandIn<SlackMessage>;
  let pagerduty: StandIn<PagerDutyEvent>;
  let endpoint: string;

  before(async () => {
    slack = await slackStandIn();
    pagerduty = await pagerDutyStandIn();
    daemon = await startDaemon(`${OTLP_RECEIVER}processors:
  signature: {}
  ratestats: {}
  anomaly: {}
exporters:
  nop: {}
extensions:
  alerts:
    slack: [{ name: ops, url: "${slack.url}" }]
    pagerduty: [{ name: oncall, routing_key: R0UT1NGKEY0123456789ABCDEFGHIJKL, url: "${pagerduty.url}", services: [checkout] }]
service:
  extensions: [alerts]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly], exporters: [nop] }
`);
    endpoint = `http://127.0.0.1:${daemon.telemetryPort}`;
  });
  after(async () => {
    await daemon?.stop();
    await slack?.close();
    await pagerduty?.close();
  });

  it('test sends a test alert through each destination of a service and prints their answers', async () => {
    const result = await runCli(['alerts', 'test', '--service', 'checkout', '--endpoint', endpoint]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /slack\/ops\s+delivered \(HTTP 200\)/);
    assert.match(result.stdout, /pagerduty\/oncall\s+delivered \(HTTP 202\)/);
    assert.deepEqual([slack.received.length, pagerduty.received.length, ...slack.violations, ...pagerduty.violations], [1, 1]);
    assert.match(slack.received[0]!.text, /\[FIRING:warning\] checkout/);
  });

  it('test fails, saying why, when a destination does not take it', async () => {
    slack.script({ status: 404, body: 'channel_not_found' });
    const result = await runCli(['alerts', 'test', '--endpoint', endpoint]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /slack\/ops\s+failed \(HTTP 404\): HTTP 404: channel_not_found/);
    assert.doesNotMatch(result.stdout, /pagerduty/, 'PagerDuty takes checkout\'s alerts only');
  });

  it('list says there are none, and silence sets one the API then lists', async () => {
    const list = await runCli(['alerts', 'list', '--endpoint', endpoint]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'no open alerts\n');
    const silence = await runCli(['alerts', 'silence', '--service', 'checkout', '--kind', 'spike', '--duration', '2h', '--comment', 'load test', '--endpoint', endpoint]);
    assert.equal(silence.code, 0, silence.stderr);
    assert.match(silence.stdout, /^silence [0-9a-f-]{36} until \d{4}-/);
    const listed = (await (await fetch(`${endpoint}/api/v1/alerts/silences`)).json()) as { silences: Array<{ matchers: unknown; state: string; comment: string }> };
    assert.deepEqual(listed.silences.map((s) => [s.matchers, s.state, s.comment]), [[{ service: 'checkout', kind: 'spike' }, 'active', 'load test']]);
    const bad = await runCli(['alerts', 'silence', '--service', 'checkout', '--duration', 'soon', '--comment', 'x', '--endpoint', endpoint]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /duration: must be a duration/);
  });
});
