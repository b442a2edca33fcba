// A load generator: N keep-alive connections POSTing OTLP/HTTP protobuf bodies as fast as they are answered
// (closed loop), or paced to a request rate; a warm-up then a measured stretch; latency per request in an HDR
// histogram (microseconds).
import http from 'node:http';
import * as hdr from 'hdr-histogram-js';

export interface LoadResult {
  acceptedRecordsPerS: number;
  refused: number;
  histogram: hdr.Histogram;
}

export interface LoadOptions {
  port: number;
  bodies: Buffer[];
  recordsPerBody: number;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** Requests per second across all connections; without it, each connection sends as soon as it is answered. */
  requestsPerS?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: options.port, path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  let accepted = 0;
  let refused = 0;
  const started = Date.now();
  const measureFrom = started + options.warmupMs;
  const measureUntil = measureFrom + options.measureMs;
  let ticket = 0;
  const paced = async () => {
    if (!options.requestsPerS) return;
    const due = started + (ticket++ * 1000) / options.requestsPerS;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
  const worker = async (w: number) => {
    for (let i = w; Date.now() < measureUntil; i += options.concurrency) {
      await paced();
      const t0 = process.hrtime.bigint();
      const status = await post(options.bodies[i % options.bodies.length]!);
      const now = Date.now();
      if (now < measureFrom || now > measureUntil) continue;
      if (status === 200) {
        histogram.recordValue(Number((process.hrtime.bigint() - t0) / 1000n));
        accepted += options.recordsPerBody;
      } else {
        refused += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  agent.destroy();
  return { acceptedRecordsPerS: accepted / (options.measureMs / 1000), refused, histogram };
}
