// The Helm chart in deploy/helm/logsift: `helm lint --strict`; every rendering (gateway, gateway with the HPA,
// sidecar) valid against Kubernetes' own schemas, strictly (kubeconform, offline); what a platform team
// looks for in the objects — probes on /readyz and /healthz, the drain (preStop, a grace period longer than
// logsift's shutdown_timeout, no pod taken down before its replacement is ready), resources, a non-root
// read-only container; the logsift configuration each mode renders passes `logsift validate`; and the plain
// manifests in deploy/kubernetes are what the chart renders.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { renderManifest, MANIFESTS } from '../../scripts/render_manifests.js';
import { runCli } from '../support/cli.js';
import { KUBERNETES_VERSION, deployTool, kubeSchemas } from '../support/deploy_tools.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHART = path.join(ROOT, 'deploy', 'helm', 'logsift');

interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Container {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  readinessProbe?: { httpGet: { path: string } };
  livenessProbe?: { httpGet: { path: string } };
  lifecycle?: { preStop: { exec: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  containers: Container[];
  volumes: Array<{ name: string }>;
}

let helm = '';
let schemas = '';

function render(args: string[]): { text: string; objects: K8sObject[] } {
  const text = execFileSync(helm, ['template', 'demo', CHART, ...args], { encoding: 'utf8' });
  return { text, objects: parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter(Boolean) };
}

function kubeconform(text: string): void {
  const run = spawnSync(deployTool('kubeconform'), ['-strict', '-summary', '-kubernetes-version', KUBERNETES_VERSION, '-schema-location', `${schemas}/{{ .NormalizedKubernetesVersion }}-local-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json`, '-'], { input: text, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /Invalid: 0, Errors: 0, Skipped: 0/);
}

const pod = (objects: K8sObject[]) => (objects.find((o) => o.kind === 'Deployment')!.spec as { template: { spec: PodSpec } }).template.spec;
const logsiftContainer = (objects: K8sObject[]) => pod(objects).containers.find((c) => c.name === 'logsift')!;
const renderedConfig = (objects: K8sObject[]) => objects.find((o) => o.kind === 'ConfigMap')!.data!['config.yaml']!;

/** The rendered logsift config through `logsift validate`, its tokens file being the rendered Secret's. */
async function validates(objects: K8sObject[]): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-chart-'));
  try {
    const tokens = objects.find((o) => o.kind === 'Secret' && o.metadata.name.endsWith('-auth'))?.stringData?.['tokens.yaml'] ?? '[]';
    writeFileSync(path.join(dir, 'tokens.yaml'), tokens);
    writeFileSync(path.join(dir, 'config.yaml'), renderedConfig(objects).replace('/etc/logsift/auth/tokens.yaml', path.join(dir, 'tokens.yaml')));
    const result = await runCli(['validate', '--config', path.join(dir, 'config.yaml')], { POSTHOG_HOST: 'https://eu.i.posthog.com', POSTHOG_PROJECT_TOKEN: 'phc_test' });
    assert.equal(result.code, 0, result.stderr + result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Helm chart', () => {
  before(() => {
    helm = deployTool('helm');
    schemas = kubeSchemas();
  });

  it('passes helm lint --strict in both modes', () => {
    for (const values of [[], ['--set', 'mode=sidecar', '--set', 'sidecar.app.image=example/app:1']]) {
      const run = spawnSync(helm, ['lint', '--strict', CHART, ...values], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    }
  });

  it('gateway: a Deployment behind a Service with a disruption budget, valid against Kubernetes\' schemas; probes, drain, resources, a locked-down container', async () => {
    const { text, objects } = render(['--set', 'posthog.token=phc_test']);
    kubeconform(text);
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Secret', 'Service']);
    const spec = pod(objects);
    const c = logsiftContainer(objects);
    assert.equal(c.readinessProbe?.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe?.httpGet.path, '/healthz');
    assert.deepEqual(c.lifecycle?.preStop.exec.command, ['sleep', '5']);
    // The drain fits the grace period: preStop, then logsift's shutdown_timeout.
    const shutdown = Number(/shutdown_timeout: (\d+)s/.exec(renderedConfig(objects))![1]);
    assert.ok(spec.terminationGracePeriodSeconds > 5 + shutdown, `${spec.terminationGracePeriodSeconds} s covers the drain`);
    const strategy = (objects.find((o) => o.kind === 'Deployment')!.spec as { strategy: { rollingUpdate: { maxUnavailable: number } } }).strategy;
    assert.equal(strategy.rollingUpdate.maxUnavailable, 0, 'a pod goes only once its replacement is ready');
    assert.ok(c.resources?.requests?.cpu && c.resources.requests.memory && c.resources.limits?.memory);
    assert.deepEqual(
      { nonRoot: c.securityContext?.runAsNonRoot, readOnly: c.securityContext?.readOnlyRootFilesystem, escalation: c.securityContext?.allowPrivilegeEscalation, drop: (c.securityContext?.capabilities as { drop: string[] }).drop },
      { nonRoot: true, readOnly: true, escalation: false, drop: ['ALL'] },
    );
    // Nothing in the environment overrides the mounted configuration (the environment wins over the file).
    assert.deepEqual(c.env?.filter((e) => e.name.startsWith('LOGSIFT_')), []);
    assert.match(renderedConfig(objects), /address: 0\.0\.0\.0:13133/, 'the probes reach the telemetry server on the pod address');
    assert.deepEqual(spec.volumes.map((v) => v.name).sort(), ['auth', 'config', 'data', 'tmp']);
    const service = objects.find((o) => o.kind === 'Service')!.spec as { ports: Array<{ port: number }> };
    assert.deepEqual(service.ports.map((p) => p.port), [4317, 4318, 13133]);
    await validates(objects);
  });

  it('gateway with autoscaling: an HPA on CPU and, through a custom-metrics adapter, queue depth; the Deployment leaves replicas to it', () => {
    const { text, objects } = render(['--set', 'autoscaling.enabled=true', '--set', 'autoscaling.queueDepth.enabled=true']);
    kubeconform(text);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.spec as { metrics: Array<{ type: string; pods?: { metric: { name: string } } }> };
    assert.deepEqual(hpa.metrics.map((m) => m.type), ['Resource', 'Pods']);
    assert.equal(hpa.metrics[1]!.pods!.metric.name, 'logsift_exporter_queue_size_log_records');
    assert.equal((objects.find((o) => o.kind === 'Deployment')!.spec as { replicas?: number }).replicas, undefined);
  });

  it('sidecar: the application with logsift in its pod, exporting to it on loopback; no Service; its configuration listens on loopback only', async () => {
    const { text, objects } = render(['--set', 'mode=sidecar', '--set', 'sidecar.app.image=example/checkout:1', '--set', 'sidecar.app.name=checkout']);
    kubeconform(text);
    assert.ok(!objects.some((o) => o.kind === 'Service' || o.kind === 'PodDisruptionBudget'));
    const containers = pod(objects).containers;
    assert.deepEqual(containers.map((c) => c.name), ['checkout', 'logsift']);
    assert.equal(containers[0]!.env?.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value, 'http://127.0.0.1:4318');
    const config = parse(renderedConfig(objects)) as { receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } } };
    assert.deepEqual([config.receivers.otlp.protocols.grpc.endpoint, config.receivers.otlp.protocols.http.endpoint], ['127.0.0.1:4317', '127.0.0.1:4318']);
    assert.equal(logsiftContainer(objects).securityContext?.readOnlyRootFilesystem, true);
    await validates(objects);
  });

  it('a configuration of one\'s own replaces the mode\'s default whole', () => {
    const { objects } = render(['--set-json', 'config={"receivers":{"otlp":{"protocols":{"http":{"endpoint":"0.0.0.0:4318"}}}},"exporters":{"debug":{}},"service":{"pipelines":{"logs":{"receivers":["otlp"],"exporters":["debug"]}}}}']);
    assert.deepEqual(parse(renderedConfig(objects)), { receivers: { otlp: { protocols: { http: { endpoint: '0.0.0.0:4318' } } } }, exporters: { debug: {} }, service: { pipelines: { logs: { receivers: ['otlp'], exporters: ['debug'] } } } });
  });

  it('the README\'s helm commands render, and it links the plain manifests', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const commands = [...readme.matchAll(/^helm install (\S+) deploy\/helm\/logsift((?:\\\n|[^\n])*)/gm)].map((m) => ({ release: m[1]!, args: m[2]!.replace(/\\\n/g, ' ').replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean) }));
    assert.equal(commands.length, 2, 'a gateway and a sidecar example');
    for (const { release, args } of commands) {
      const run = spawnSync(helm, ['template', release, CHART, ...args], { encoding: 'utf8' });
      assert.equal(run.status, 0, `helm template ${release} ${args.join(' ')}: ${run.stderr}`);
      kubeconform(run.stdout);
    }
    for (const name of MANIFESTS) assert.ok(readme.includes(`deploy/kubernetes/${name}.yaml`), name);
  });

  it('the plain manifests in deploy/kubernetes are what the chart renders (npm run deploy:render)', () => {
    for (const name of MANIFESTS) {
      const committed = readFileSync(path.join(ROOT, 'deploy', 'kubernetes', `${name}.yaml`), 'utf8');
      assert.equal(committed, renderManifest(name), `deploy/kubernetes/${name}.yaml drifted from the chart: run npm run deploy:render`);
      kubeconform(committed);
    }
  });
});
