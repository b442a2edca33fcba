// `${env:VAR}` and `${env:VAR:-default}` in string values, as the Collector expands them; `$$` escapes a `$`.
// Substitution happens after YAML parsing, so a value can never inject YAML structure.
import { parse as parseYaml } from 'yaml';
import type { ConfigProblem } from './problems.js';

const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

type Env = Readonly<Record<string, string | undefined>>;

function expandString(text: string, env: Env, path: string, problems: ConfigProblem[]): unknown {
  let sole = false;
  const expanded = text.replace(REFERENCE, (whole, inner: string | undefined, offset: number) => {
    if (whole === '$$') return '$';
    const match = ENV_REFERENCE.exec(inner ?? '');
    if (!match) {
      problems.push({ path, message: `unsupported reference "${whole}" (use \${env:NAME} or \${env:NAME:-default})` });
      return whole;
    }
    sole = offset === 0 && whole.length === text.length;
    const value = env[match[1]!];
    if (value !== undefined && value !== '') return value;
    if (match[2] !== undefined) return match[2];
    problems.push({ path, message: `environment variable ${match[1]} is not set and the reference has no default` });
    return '';
  });
  // A value that is exactly one reference takes the type its text has in YAML (`port: ${env:PORT}` is a number).
  if (sole) {
    try {
      const typed: unknown = parseYaml(expanded);
      if (typed === null || ['number', 'boolean', 'string'].includes(typeof typed)) return typed ?? expanded;
    } catch {
      return expanded;
    }
  }
  return expanded;
}

function dottedKey(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function substituteEnv(node: unknown, env: Env, problems: ConfigProblem[], path = ''): unknown {
  if (typeof node === 'string') return expandString(node, env, path, problems);
  if (Array.isArray(node)) return node.map((item, i) => substituteEnv(item, env, problems, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = substituteEnv(value, env, problems, dottedKey(path, key));
    return out;
  }
  return node;
}
