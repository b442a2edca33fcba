// Writes deploy/kubernetes/{gateway,sidecar}.yaml: the Helm chart rendered with deploy/kubernetes/*.values.yaml
// (`npm run deploy:render`), for those who apply plain manifests. test/deploy/helm_chart.test.ts fails when
// they drift from the chart.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployTool } from '../test/support/deploy_tools.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MANIFESTS = ['gateway', 'sidecar'] as const;

/** The chart rendered as the committed manifest `name` is. */
export function renderManifest(name: (typeof MANIFESTS)[number]): string {
  const values = path.join(ROOT, 'deploy', 'kubernetes', `${name}.values.yaml`);
  const rendered = execFileSync(deployTool('helm'), ['template', 'logsift', path.join(ROOT, 'deploy', 'helm', 'logsift'), '--namespace', 'observability', '-f', values], { encoding: 'utf8' });
  return `# Rendered from deploy/helm/logsift with ${name}.values.yaml by \`npm run deploy:render\`; edit the chart, not this.\n${rendered}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of MANIFESTS) writeFileSync(path.join(ROOT, 'deploy', 'kubernetes', `${name}.yaml`), renderManifest(name));
  console.log('deploy/kubernetes/gateway.yaml and sidecar.yaml written');
}
