// The log calls every SDK overhead benchmark makes, written once so the three languages time the same work.
// Bodies are real lines of the twelve shared Loghub-2k systems (their own variables), templates drawn with a
// Zipf popularity and in clumps (a template repeats a few times running, as a request's lines do); a few
// percent warnings and errors; most calls inside a trace that spans several calls. Seeded: the same calls
// every run. A second file holds bodies of 250,000 distinct templates, for the memory bound (the miner holds 10,000 a
// service, the ledger 50,000).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { random } from '../draws.js';
import { loadSystem, systems } from '../patterns/loghub.js';

export interface SdkCall {
  /** The message. */
  b: string;
  /** The level, as every logging library names it. */
  s: 'debug' | 'info' | 'warn' | 'error';
  /** 32 hex digits, or '' outside a trace. */
  t: string;
}

export const DISTINCT_TEMPLATES = 250_000;

function zipfPicker(n: number, exponent: number, uniform: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= n; rank++) cumulative.push((total += 1 / rank ** exponent));
  return () => {
    const x = uniform() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function generateCalls(count: number, seed = 19): SdkCall[] {
  const uniform = random(seed);
  const byTemplate = new Map<string, string[]>();
  for (const system of systems()) {
    for (const line of loadSystem(system)) {
      const key = `${system}\u0000${line.template}`;
      const lines = byTemplate.get(key) ?? [];
      lines.push(line.content);
      byTemplate.set(key, lines);
    }
  }
  // Popularity ranks in a seeded shuffle, so the loudest templates are not all one system's.
  const templates = [...byTemplate.values()];
  for (let i = templates.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [templates[i], templates[j]] = [templates[j]!, templates[i]!];
  }
  const pick = zipfPicker(templates.length, 1.1, uniform);
  const calls: SdkCall[] = [];
  let trace = '';
  let traceLeft = 0;
  while (calls.length < count) {
    const lines = templates[pick()]!;
    const clump = 1 + Math.floor(-Math.log(uniform()) * 4);
    for (let i = 0; i < clump && calls.length < count; i++) {
      if (traceLeft-- <= 0) {
        trace = uniform() < 0.7 ? Array.from({ length: 4 }, () => Math.floor(uniform() * 2 ** 32).toString(16).padStart(8, '0')).join('') : '';
        traceLeft = 1 + Math.floor(-Math.log(uniform()) * 8);
      }
      const level = uniform();
      calls.push({ b: lines[Math.floor(uniform() * lines.length)]!, s: level < 0.015 ? 'error' : level < 0.065 ? 'warn' : level < 0.35 ? 'debug' : 'info', t: trace });
    }
  }
  return calls;
}

function word(k: number, salt: number): string {
  let n = Math.imul(k + 1, 2654435761 + salt * 40503) >>> 0;
  let out = '';
  for (let i = 0; i < 6; i++) {
    out += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  }
  return out;
}

/** Bodies of `count` distinct templates (words without digits, so masking leaves them), each once. */
export function distinctTemplateBodies(count = DISTINCT_TEMPLATES): string[] {
  return Array.from({ length: count }, (_, k) => `${word(k, 1)} ${word(k, 2)} finished step ${k % 97} of ${word(k, 3)} ${word(k, 4)}`);
}

/** Writes both files under dir; returns their paths. */
export function writeSdkCalls(dir: string, count: number): { calls: string; templates: string } {
  mkdirSync(dir, { recursive: true });
  const calls = path.join(dir, 'sdk-calls.jsonl');
  const templates = path.join(dir, 'sdk-distinct-templates.txt');
  writeFileSync(calls, generateCalls(count).map((c) => JSON.stringify(c)).join('\n') + '\n');
  writeFileSync(templates, distinctTemplateBodies().join('\n') + '\n');
  return { calls, templates };
}
