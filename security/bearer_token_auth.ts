// The `bearertokenauth` extension, after the Collector's: receivers that name it (`auth: {authenticator:
// bearertokenauth}`) take a request only with `Authorization: <scheme> <token>` for one of its tokens — given
// inline (`token`, `tokens`) or in a file (`filename`, one token a line), read again whenever the file
// changes (token_store.ts), so a token is rotated without a restart.
import { readFileSync } from 'node:fs';
import { WatchedFile, findByToken, tokenDigest } from './token_store.js';
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
  readonly #inline: Array<{ digest: Buffer }>;
  readonly #file: WatchedFile<Array<{ digest: Buffer }>> | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: BearerTokenAuthConfig,
  ) {
    this.#inline = [config.token, ...config.tokens].filter(Boolean).map((t) => ({ digest: tokenDigest(t) }));
    this.#file = config.filename
      ? new WatchedFile(
          config.filename,
          (text) => text.split('\n').map((l) => l.trim()).filter((l) => l.length >= MIN_TOKEN).map((t) => ({ digest: tokenDigest(t) })),
          (error) => settings.logger.warn({ err: error, file: config.filename }, 'could not read the tokens file; the tokens read before stay in force'),
        )
      : undefined;
  }

  allows(authorization: string | undefined): boolean {
    if (!authorization) return false;
    const prefix = `${this.config.scheme} `;
    if (authorization.length <= prefix.length || authorization.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return false;
    const token = authorization.slice(prefix.length).trim();
    return findByToken([...this.#inline, ...(this.#file?.current() ?? [])], token) !== undefined;
  }

  async start(): Promise<void> {
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
