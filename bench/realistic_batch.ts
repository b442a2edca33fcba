// Realistic OTLP batches for benchmarks: access logs, SQL timings, auth and cache events, with the
// attributes an instrumented service attaches.
import { ExportLogsServiceRequest, encodeExportRequest, type PbExportRequest } from '../proto/otlp.js';

const ROUTES = ['/api/orders', '/api/orders/{id}', '/api/cart', '/api/users/{id}', '/healthz', '/api/search'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * One record's body. Without `errorShare` each of the five kinds is a fifth of the records (a fifth of them
 * ERROR, which logsift always keeps: far more than a production service logs); with it, ERROR is that share
 * and the other four kinds share the rest.
 */
function body(i: number, seed: number, errorShare?: number): { text: string; severity: number } {
  const n = (i * 7919 + seed * 104729) >>> 0;
  const kind = errorShare === undefined ? n % 5 : (n % 10_000) / 10_000 < errorShare ? 4 : (n >>> 4) % 4;
  switch (kind) {
    case 0:
      return { text: `${METHODS[n % 4]} ${ROUTES[n % 6]!.replace('{id}', String(n % 100000))} ${[200, 201, 404, 500][n % 4]} ${n % 900}ms`, severity: 9 };
    case 1:
      return { text: `SELECT * FROM orders WHERE customer_id = ${n % 50000} AND status = 'open' took ${(n % 300) / 10}ms rows=${n % 40}`, severity: 5 };
    case 2:
      return { text: `user ${n % 10000} authenticated via oauth provider=google session=${n.toString(16)}`, severity: 9 };
    case 3:
      return { text: `cache miss for key product:${n % 20000}:price, refilling from upstream in ${n % 50}ms`, severity: 13 };
    default:
      return { text: `payment ${n.toString(36)} failed: card_declined (attempt ${n % 3 + 1}/3) for order ${n % 90000}`, severity: 17 };
  }
}

export function realisticRequest(records: number, seed: number, errorShare?: number): PbExportRequest {
  const now = 1_795_000_000_000_000_000n + BigInt(seed) * 1_000_000_000n;
  return ExportLogsServiceRequest.fromObject({
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'checkout' } },
            { key: 'service.version', value: { stringValue: '2.14.1' } },
            { key: 'host.name', value: { stringValue: `checkout-7d9f-${seed % 8}` } },
            { key: 'k8s.namespace.name', value: { stringValue: 'shop' } },
          ],
        },
        scopeLogs: [
          {
            scope: { name: 'checkout.http', version: '2.14.1' },
            logRecords: Array.from({ length: records }, (_, i) => {
              const b = body(i, seed, errorShare);
              return {
                timeUnixNano: String(now + BigInt(i) * 1000n),
                observedTimeUnixNano: String(now + BigInt(i) * 1000n + 500n),
                severityNumber: b.severity,
                severityText: ['', '', '', '', '', 'DEBUG', '', '', '', 'INFO', '', '', '', 'WARN', '', '', '', 'ERROR'][b.severity],
                body: { stringValue: b.text },
                attributes: [
                  { key: 'http.request.method', value: { stringValue: METHODS[i % 4] } },
                  { key: 'http.route', value: { stringValue: ROUTES[i % 6] } },
                  { key: 'http.response.status_code', value: { intValue: [200, 201, 404, 500][i % 4] } },
                  { key: 'enduser.id', value: { stringValue: `user-${(i * 31 + seed) % 10000}` } },
                  { key: 'duration_ms', value: { doubleValue: (i % 900) + 0.25 } },
                ],
                traceId: Buffer.from(((BigInt(seed) << 64n) + BigInt(i)).toString(16).padStart(32, '0'), 'hex'),
                spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
                flags: 1,
              };
            }),
          },
        ],
      },
    ],
  }) as unknown as PbExportRequest;
}

export function realisticBodies(count: number, records: number, errorShare?: number): Buffer[] {
  return Array.from({ length: count }, (_, seed) => Buffer.from(encodeExportRequest(realisticRequest(records, seed, errorShare))));
}

/**
 * The same records as an HTTP server instrumented to the OpenTelemetry semantic conventions writes them: the
 * client's address (`client.address`, an IP) on every one — personal data in every record's attributes.
 */
export function realisticBodiesWithClientAddress(count: number, records: number): Buffer[] {
  return Array.from({ length: count }, (_, seed) => {
    const request = realisticRequest(records, seed);
    let i = 0;
    for (const rl of request.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const record of sl.logRecords ?? []) {
          record.attributes!.push({ key: 'client.address', value: { stringValue: `10.${seed}.${(i >> 8) & 255}.${i & 255}` } });
          i += 1;
        }
      }
    }
    return Buffer.from(encodeExportRequest(request));
  });
}
