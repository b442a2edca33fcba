// The rendered chart against a real Kubernetes API server: etcd (Debian's etcd-server) and kube-apiserver
// (built from the Go module proxy) on loopback — objects stored and validated, nothing scheduled. Each object
// of each rendering is created with `dryRun=All` and `fieldValidation=Strict`: the server's own defaulting,
// validation and admission say whether it would be taken.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../cmd/free_port.js';
import { kubeApiserver } from '../test/support/deploy_tools.js';

const TOKEN = 'logsift-check-token';
const NAMESPACE = 'observability';

const PLURAL: Record<string, string> = { Deployment: 'deployments', Service: 'services', ConfigMap: 'configmaps', Secret: 'secrets', PodDisruptionBudget: 'poddisruptionbudgets', HorizontalPodAutoscaler: 'horizontalpodautoscalers' };

function call(port: number, method: string, route: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', port, method, path: route, rejectUnauthorized: false, headers: { authorization: `Bearer ${TOKEN}`, ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function untilReady(port: number, child: ChildProcess, logs: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`kube-apiserver exited: ${logs().slice(-2000)}`);
    const answer = await call(port, 'GET', '/readyz').catch(() => undefined);
    if (answer?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`kube-apiserver not ready in 2 minutes: ${logs().slice(-2000)}`);
}

/** Creates every object of each rendering (dry run, strict); returns the problems, empty when all were taken. */
export async function checkAgainstApiServer(renderings: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-apiserver-'));
  const children: ChildProcess[] = [];
  try {
    const [etcdClient, etcdPeer, secure] = [await freePort(), await freePort(), await freePort()];
    const etcd = spawn('etcd', ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`, '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`], { stdio: 'ignore' });
    children.push(etcd);
    execFileSync('openssl', ['genrsa', '-out', path.join(dir, 'sa.key'), '2048'], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'tokens.csv'), `${TOKEN},admin,admin,system:masters\n`);
    let logs = '';
    const api = spawn(kubeApiserver(), [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--secure-port=${secure}`,
      '--bind-address=127.0.0.1',
      `--cert-dir=${path.join(dir, 'certs')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${path.join(dir, 'sa.key')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--endpoint-reconciler-type=none',
    ]);
    children.push(api);
    api.stderr.on('data', (c: Buffer) => (logs += c.toString()));
    await untilReady(secure, api, () => logs);
    const created = await call(secure, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    if (created.status !== 201) return [`namespace: ${created.status} ${created.text}`];
    const problems: string[] = [];
    for (const [name, text] of Object.entries(renderings)) {
      for (const doc of parseAllDocuments(text)) {
        const object = doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string } } | null;
        if (!object) continue;
        const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
        const answer = await call(secure, 'POST', `${base}/namespaces/${NAMESPACE}/${PLURAL[object.kind]}?dryRun=All&fieldValidation=Strict`, object);
        if (answer.status !== 201) problems.push(`${name}: ${object.kind} ${object.metadata.name}: ${answer.status} ${answer.text.slice(0, 500)}`);
        else process.stdout.write(`  ${name}: ${object.kind} ${object.metadata.name} taken\n`);
      }
    }
    return problems;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
