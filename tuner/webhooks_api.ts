// The webhook delivery log on the telemetry server:
//   GET /api/v1/webhooks/deliveries[?service=S][&status=pending|delivered|failed][&limit=N]
// newest first: each delivery's id (`webhook-id`), endpoint, event, service, version, policy hash, status,
// attempts, the last answer (HTTP status, error) and the signed body exactly as sent.
import { sendJson as send, type RouteHandler } from '../pipeline/http_routes.js';
import type { WebhookDeliveryRow } from '../store/store.js';

export const WEBHOOKS_PREFIX = '/api/v1/webhooks';
const STATUSES = ['pending', 'delivered', 'failed'];
const MAX_LIMIT = 1000;

type DeliveryLog = (filter: { status?: WebhookDeliveryRow['status']; service?: string; limit: number }) => WebhookDeliveryRow[];

export function webhooksRoute(log: DeliveryLog): RouteHandler {
  return async (req, res, path) => {
    if (path !== `${WEBHOOKS_PREFIX}/deliveries`) return send(res, 404, { error: `expected ${WEBHOOKS_PREFIX}/deliveries` });
    if (req.method !== 'GET') return send(res, 405, { error: `${req.method} is not allowed here` });
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const status = query.get('status') ?? undefined;
    if (status !== undefined && !STATUSES.includes(status)) return send(res, 400, { error: `status must be one of ${STATUSES.join(', ')}` });
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return send(res, 400, { error: `limit must be an integer from 1 to ${MAX_LIMIT}` });
    const service = query.get('service') ?? undefined;
    const deliveries = log({ limit, ...(status ? { status: status as WebhookDeliveryRow['status'] } : {}), ...(service ? { service } : {}) });
    return send(res, 200, { deliveries: deliveries.map((d) => ({ ...d, created_at: new Date(d.created_at).toISOString(), updated_at: new Date(d.updated_at).toISOString() })) });
  };
}
