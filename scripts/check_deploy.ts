// `npm run check:deploy`: what is too slow to build for every `npm test` — promtool (4–14 minutes the first
// time) checking the alert rules and running their unit tests (deploy/prometheus/logsift_rules_test.yaml).
// The chart and the dashboard are checked by npm test (test/deploy/).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployTool } from '../test/support/deploy_tools.js';

const rules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'prometheus');
const promtool = deployTool('promtool');
execFileSync(promtool, ['check', 'rules', 'logsift_rules.yaml'], { cwd: rules, stdio: 'inherit' });
execFileSync(promtool, ['test', 'rules', 'logsift_rules_test.yaml'], { cwd: rules, stdio: 'inherit' });
