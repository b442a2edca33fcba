// Who may do what on the control API (the telemetry server's /api/… routes): a bearer token from the tokens
// file, or a JWT signed with the configured secret, public key or JWKS — each carrying scopes. A request
// needs `policies:read` to read anything, `alerts:write` to change alerts and silences, `policies:write` to
// change anything else; `admin` stands for all (and alone reads the audit log). /healthz and /readyz stay open (probes carry no token);
// /metrics too unless `metrics: protected`, and the console's files under /ui (they hold no data; its figures come
// from /api/…). No `service.auth` at all: everything open, as before.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WatchedFile, findByToken, tokenDigest } from './token_store.js';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { parse as parseYaml } from 'yaml';

export const SCOPES = ['policies:read', 'policies:write', 'alerts:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface AuthConfig {
  /** YAML: a list of {name, token | token_sha256, scopes}; read again when it changes. */
  tokens_file: string;
  jwt: { secret: string; public_key_file: string; jwks_url: string; issuer: string; audience: string; algorithms: string[] };
  metrics: 'open' | 'protected';
}

export type AuthDecision =
  | { kind: 'allowed'; subject: string; via: 'token' | 'jwt' | 'open' }
  | { kind: 'unauthenticated'; reason: string }
  | { kind: 'forbidden'; subject: string; needed: Scope };

/** The scope a request needs (undefined: open to all). */
export function scopeFor(method: string, path: string, metrics: AuthConfig['metrics']): Scope | undefined {
  if (path === '/healthz' || path === '/readyz') return undefined;
  // The console's files hold no data (ui/server/static_files.ts); what it shows comes from the API, guarded.
  if (path === '/ui' || path.startsWith('/ui/')) return undefined;
  if (path === '/metrics') return metrics === 'protected' ? 'policies:read' : undefined;
  if (path.startsWith('/api/v1/audit')) return 'admin';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'policies:read';
  return path.startsWith('/api/v1/alerts') ? 'alerts:write' : 'policies:write';
}

interface TokenEntry {
  name: string;
  digest: Buffer;
  scopes: Set<string>;
}

/** The tokens file: a YAML list of {name, token | token_sha256, scopes}. */
function parseTokens(path: string, text: string): TokenEntry[] {
  const parsed = parseYaml(text) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a list of {name, token or token_sha256, scopes}`);
  return parsed.map((e: unknown, i) => {
    const entry = e as { name?: unknown; token?: unknown; token_sha256?: unknown; scopes?: unknown };
    if (typeof entry.name !== 'string' || !Array.isArray(entry.scopes) || !entry.scopes.every((s) => SCOPES.includes(s as Scope))) throw new Error(`${path}[${i}]: needs a name and scopes out of ${SCOPES.join(', ')}`);
    const digest = typeof entry.token_sha256 === 'string' && /^[0-9a-f]{64}$/i.test(entry.token_sha256) ? Buffer.from(entry.token_sha256, 'hex') : typeof entry.token === 'string' && entry.token.length >= 16 ? tokenDigest(entry.token) : undefined;
    if (!digest) throw new Error(`${path}[${i}]: needs a token of 16 characters or more, or its token_sha256`);
    return { name: entry.name, digest, scopes: new Set(entry.scopes as string[]) };
  });
}

export class ControlAuth {
  /** A file being rewritten, or broken: the tokens read last stay in force until it reads again. */
  readonly #tokens: WatchedFile<TokenEntry[]> | undefined;
  readonly #jwtKey: Uint8Array | KeyObject | JWTVerifyGetKey | undefined;

  constructor(private readonly config: AuthConfig) {
    this.#tokens = config.tokens_file ? new WatchedFile(config.tokens_file, (text) => parseTokens(config.tokens_file, text)) : undefined;
    const { jwt } = config;
    if (jwt.secret) this.#jwtKey = new TextEncoder().encode(jwt.secret);
    else if (jwt.public_key_file) this.#jwtKey = createPublicKey(readFileSync(jwt.public_key_file));
    else if (jwt.jwks_url) this.#jwtKey = createRemoteJWKSet(new URL(jwt.jwks_url));
  }

  async decide(method: string, path: string, authorization: string | undefined): Promise<AuthDecision> {
    const needed = scopeFor(method, path, this.config.metrics);
    if (needed === undefined) return { kind: 'allowed', subject: 'anyone', via: 'open' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { kind: 'unauthenticated', reason: authorization ? 'the Authorization header is not "Bearer <token>"' : 'no Authorization header' };
    const credential = match[1]!;
    const who = (await this.#jwt(credential)) ?? this.#token(credential);
    if ('reason' in who) return { kind: 'unauthenticated', reason: who.reason };
    if (!who.scopes.has(needed) && !who.scopes.has('admin') && !(needed === 'policies:read' && (who.scopes.has('policies:write') || who.scopes.has('alerts:write')))) return { kind: 'forbidden', subject: who.subject, needed };
    return { kind: 'allowed', subject: who.subject, via: who.via };
  }

  #token(token: string): { subject: string; scopes: Set<string>; via: 'token' } | { reason: string } {
    const entry = this.#tokens && findByToken(this.#tokens.current(), token);
    return entry ? { subject: entry.name, scopes: entry.scopes, via: 'token' } : { reason: 'unknown token' };
  }

  /** undefined when the credential is no JWT (or no JWT is configured): then it is tried as a token. */
  async #jwt(credential: string): Promise<{ subject: string; scopes: Set<string>; via: 'jwt' } | { reason: string } | undefined> {
    if (!this.#jwtKey || credential.split('.').length !== 3) return undefined;
    const { issuer, audience, algorithms } = this.config.jwt;
    try {
      const { payload } = await jwtVerify(credential, this.#jwtKey as Parameters<typeof jwtVerify>[1], {
        ...(issuer ? { issuer } : {}),
        ...(audience ? { audience } : {}),
        ...(algorithms.length > 0 ? { algorithms } : {}),
      });
      const raw = payload.scope ?? payload.scp;
      const scopes = new Set(Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/\s+/) : []);
      return { subject: payload.sub ?? 'jwt', scopes, via: 'jwt' };
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'the token has expired' : error instanceof joseErrors.JOSEError ? `the token is not valid: ${error.code}` : `the token could not be checked: ${(error as Error).message}`;
      return { reason };
    }
  }
}
