// TLS for the servers logsift runs (OTLP/HTTP, OTLP/gRPC, the telemetry server), in the Collector's keys:
// `tls: {cert_file, key_file, client_ca_file, min_version}`. With `client_ca_file`, clients must present a
// certificate that CA signed (mTLS). Files are read when the server starts.
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { ConfigProblem } from '../config/problems.js';

export interface TlsSettings {
  cert_file: string;
  key_file: string;
  client_ca_file?: string;
  min_version?: '1.2' | '1.3';
}

export const TLS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['cert_file', 'key_file'],
  properties: { cert_file: { type: 'string', minLength: 1 }, key_file: { type: 'string', minLength: 1 }, client_ca_file: { type: 'string', minLength: 1 }, min_version: { enum: ['1.2', '1.3'] } },
};

/** Problems with the files (unreadable), under `path`. */
export function checkTlsFiles(tls: TlsSettings, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of ['cert_file', 'key_file', 'client_ca_file'] as const) {
    const file = tls[key];
    if (!file) continue;
    try {
      readFileSync(file);
    } catch (error) {
      problems.push({ path: `${path}.${key}`, message: `cannot be read: ${(error as Error).message}` });
    }
  }
  return problems;
}

/** Options for https.createServer / tls.createSecureContext. */
export function serverTlsOptions(tls: TlsSettings): TlsOptions & SecureContextOptions {
  const ca = tls.client_ca_file ? readFileSync(tls.client_ca_file) : undefined;
  return {
    cert: readFileSync(tls.cert_file),
    key: readFileSync(tls.key_file),
    minVersion: tls.min_version === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}
