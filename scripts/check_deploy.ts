// `npm run check:deploy`: what is too slow to build for every `npm test` — promtool (4–14 minutes the first
// time) checking the alert rules and running their unit tests (deploy/prometheus/logsift_rules_test.yaml), and
// the chart's renderings created (dry run, strict) on a real kube-apiserver (~10 minutes to build the first
// time; etcd from Debian's etcd-server). The chart and the dashboard are also checked by npm test (test/deploy/).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployTool } from '../test/support/deploy_tools.js';
import { checkAgainstApiServer } from './api_server_check.js';
import { renderManifest } from './render_manifests.js';

const rules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'prometheus');
const promtool = deployTool('promtool');
execFileSync(promtool, ['check', 'rules', 'logsift_rules.yaml'], { cwd: rules, stdio: 'inherit' });
execFileSync(promtool, ['test', 'rules', 'logsift_rules_test.yaml'], { cwd: rules, stdio: 'inherit' });

const chart = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'helm', 'logsift');
const helm = deployTool('helm');
const render = (...values: string[]) => execFileSync(helm, ['template', 'logsift', chart, '--namespace', 'observability', ...values], { encoding: 'utf8' });
const problems = await checkAgainstApiServer({
  gateway: renderManifest('gateway'),
  sidecar: renderManifest('sidecar'),
  'gateway with autoscaling': render('--set', 'posthog.token=phc_x', '--set', 'autoscaling.enabled=true', '--set', 'autoscaling.queueDepth.enabled=true'),
});
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('every object of every rendering was taken by kube-apiserver (dry run, strict field validation)');
