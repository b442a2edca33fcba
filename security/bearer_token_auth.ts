// The `bearertokenauth` extension, after the Collector's: receivers that name it (`auth: {authenticator:
// bearertokenauth}`) take a request only with `Authorization: <scheme> <token>` for one of its tokens — given
// inline (`token`, `tokens`) or in a file (`filename`, one token a line), read again whenever the file
// changes, so a token is rotated without a restart. Tokens are compared as SHA-256 digests in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { compileConfigSchema } from '../config/schema_validator.js';
import type { CreateSettings, Extension, ExtensionFactory } from '../pipeline/component.js';
import { SharedKey } from '../pipeline/pipeline_shared.js';
import type { ConfigProblem } from '../config/problems.js';

export interface BearerTokenAuthConfig {
  scheme: string;
  token: string;
  tokens: string[];
  filename: string;
}

/** What a receiver asks an authenticator: does this Authorization header (or gRPC metadata value) pass? */
export interface RequestAuthenticator {
  allows(authorization: string | undefined): boolean;
}

/** Authenticators by extension id, shared daemon-wide (receivers look theirs up at start). */
export const REQUEST_AUTHENTICATORS = new SharedKey<Map<string, RequestAuthenticator>>('request authenticators');

const digest = (token: string) => createHash('sha256').update(token).digest();
const MIN_TOKEN = 16;

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: { scheme: { type: 'string', minLength: 1 }, token: { type: 'string' }, tokens: { type: 'array', items: { type: 'string', minLength: MIN_TOKEN } }, filename: { type: 'string' } },
};
const checkSchema = compileConfigSchema(schema);

function validate(config: BearerTokenAuthConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  if (!config.token && config.tokens.length === 0 && !config.filename) problems.push({ path: '', message: 'give token, tokens or filename' });
  if (config.token && config.token.length < MIN_TOKEN) problems.push({ path: 'token', message: `must be ${MIN_TOKEN} characters or more` });
  if (config.filename) {
    try {
      readFileSync(config.filename);
    } catch (error) {
      problems.push({ path: 'filename', message: `cannot be read: ${(error as Error).message}` });
    }
  }
  return problems;
}

class BearerTokenAuth implements Extension, RequestAuthenticator {
  #fromFile: Buffer[] = [];
  #mtime = -1;
  readonly #inline: Buffer[];

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: BearerTokenAuthConfig,
  ) {
    this.#inline = [config.token, ...config.tokens].filter(Boolean).map(digest);
  }

  #readFile(): void {
    if (!this.config.filename) return;
    try {
      const mtime = statSync(this.config.filename).mtimeMs;
      if (mtime === this.#mtime) return;
      const tokens = readFileSync(this.config.filename, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.length >= MIN_TOKEN);
      this.#fromFile = tokens.map(digest);
      this.#mtime = mtime;
    } catch (error) {
      // Being rewritten, or gone: the tokens read last stay in force until it reads again.
      this.settings.logger.warn({ err: error, file: this.config.filename }, 'could not read the tokens file; the tokens read before stay in force');
    }
  }

  allows(authorization: string | undefined): boolean {
    if (!authorization) return false;
    const prefix = `${this.config.scheme} `;
    if (authorization.length <= prefix.length || authorization.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return false;
    this.#readFile();
    const presented = digest(authorization.slice(prefix.length).trim());
    let found = false;
    for (const known of [...this.#inline, ...this.#fromFile]) if (timingSafeEqual(known, presented)) found = true;
    return found;
  }

  async start(): Promise<void> {
    this.#readFile();
    let all = this.settings.daemonShared.lookup(REQUEST_AUTHENTICATORS);
    if (!all) this.settings.daemonShared.provide(REQUEST_AUTHENTICATORS, (all = new Map()));
    all.set(this.settings.id, this);
  }

  async shutdown(): Promise<void> {
    this.settings.daemonShared.lookup(REQUEST_AUTHENTICATORS)?.delete(this.settings.id);
  }
}

export const bearerTokenAuthExtensionFactory: ExtensionFactory<BearerTokenAuthConfig> = {
  kind: 'extension',
  type: 'bearertokenauth',
  defaultConfig: () => ({ scheme: 'Bearer', token: '', tokens: [], filename: '' }),
  validate,
  create: (settings, config) => new BearerTokenAuth(settings, config),
};

/** The authenticator a receiver named, or the reason it cannot have it. */
export function authenticatorFor(settings: CreateSettings, id: string): RequestAuthenticator {
  const found = settings.daemonShared.lookup(REQUEST_AUTHENTICATORS)?.get(id);
  if (!found) throw new Error(`${settings.id} names the authenticator ${id}, which is not a running extension: configure extensions.${id} and list it under service.extensions`);
  return found;
}
