// The audit log: every write on the control API — policy changes and rollbacks, silences and snoozes, test
// alerts, webhook and fleet writes — who (the token's name or the JWT's subject; `anonymous` without auth),
// how they proved it, from which address, what they asked (the JSON body, redacted, cut at 4 KB) and how it
// ended (the status). Kept in the store, append-only: `GET /api/v1/audit` reads it (scope admin) and nothing
// deletes a row on request; past `keep` rows the oldest go.
import type http from 'node:http';
import { bodyRead, sendJson } from '../pipeline/http_routes.js';
import type { Logger } from '../pipeline/logger.js';
import type { SharedStore } from '../store/shared_store.js';
import { redactLine } from '../tuner/redact.js';

export const AUDIT_PATH = '/api/v1/audit';
const BODY_CHARS = 4096;
const KEEP = 1_000_000;

export class AuditLog {
  constructor(
    private readonly store: SharedStore,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Records the write once its answer went out. */
  watch(req: http.IncomingMessage, res: http.ServerResponse, who: { subject: string; via: string }): void {
    const at = this.now();
    res.once('finish', () => {
      const body = bodyRead(req);
      try {
        this.store.get().appendAudit(
          {
            at,
            subject: who.subject,
            via: who.via,
            address: req.socket.remoteAddress ?? '',
            method: req.method ?? '',
            path: (req.url ?? '').split('?')[0]!,
            status: res.statusCode,
            body: body === undefined ? '' : redactLine(JSON.stringify(body), BODY_CHARS),
          },
          KEEP,
        );
      } catch (error) {
        // The write happened; its record did not: said loudly, since an audit log with holes is worse than none.
        this.logger.error({ err: error, subject: who.subject, path: req.url }, 'could not write the audit log');
      }
    });
  }

  /** GET /api/v1/audit[?since=<ms>&subject=<name>&limit=<n>]: newest first. */
  answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'the audit log is read-only' }, { allow: 'GET' });
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const since = Number(query.get('since') ?? 0);
    const limit = Math.min(10_000, Math.max(1, Number(query.get('limit') ?? 1000) || 1000));
    const rows = this.store.get().auditRows({ since: Number.isFinite(since) ? since : 0, subject: query.get('subject') ?? undefined, limit });
    sendJson(res, 200, { entries: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) });
  }
}
