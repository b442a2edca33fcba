// Prompt templates are files (config/prompts/ by default) with named variables, `{{name}}`. A template
// naming a variable the tuner does not provide is a config error, not a prompt with a hole in it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROMPT_VARIABLES = ['service', 'target_keep_fraction', 'target_bytes_keep_fraction', 'current_policy', 'context', 'fence', 'invariants'] as const;
export type PromptVariables = Record<(typeof PROMPT_VARIABLES)[number], string>;

const VARIABLE = /\{\{\s*([a-z_]+)\s*\}\}/g;
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A relative path is looked for in the working directory, then in logsift's own directory (the shipped prompts). */
export function resolvePromptPath(file: string): string {
  if (path.isAbsolute(file) || existsSync(file)) return file;
  return path.join(PACKAGE_ROOT, file);
}

/** Problems with a template file: unreadable, or naming an unknown variable. */
export function checkPromptTemplate(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(resolvePromptPath(file), 'utf8');
  } catch (error) {
    return `cannot read ${file}: ${(error as Error).message}`;
  }
  const unknown = [...text.matchAll(VARIABLE)].map((m) => m[1]!).filter((name) => !(PROMPT_VARIABLES as readonly string[]).includes(name));
  return unknown.length > 0 ? `${file} names unknown variables ${[...new Set(unknown)].join(', ')}; known: ${PROMPT_VARIABLES.join(', ')}` : undefined;
}

export class PromptTemplates {
  readonly #system: string;
  readonly #user: string;

  constructor(files: { system: string; user: string }) {
    this.#system = readFileSync(resolvePromptPath(files.system), 'utf8');
    this.#user = readFileSync(resolvePromptPath(files.user), 'utf8');
  }

  render(variables: PromptVariables): { system: string; user: string; hash: string } {
    const fill = (template: string) => template.replace(VARIABLE, (_, name: keyof PromptVariables) => variables[name]);
    const system = fill(this.#system);
    const user = fill(this.#user);
    return { system, user, hash: createHash('sha256').update(system).update('\u0000').update(user).digest('hex') };
  }
}

/**
 * The fence line around the data: derived from the data's own hash, so no text inside the data can contain
 * it (a string cannot hold its own digest) and the same data gives the same prompt.
 */
export function fenceFor(data: string): string {
  return `=====LOGSIFT-DATA-${createHash('sha256').update(data).digest('hex').slice(0, 24)}=====`;
}
