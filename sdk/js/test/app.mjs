// A small application using the packed SDK, driven by the end-to-end test over stdin/stdout: `log N` logs N
// records through winston, pino (in its worker thread) and the OpenTelemetry logger in turn; `switch N` logs
// N records through winston and the logger, marked as after the policy switch; `stop` shuts the SDK down.
// It answers each command with one JSON line, and tells each policy it is given; it is ready once it has one.
import readline from 'node:readline';
import pino from 'pino';
import winston from 'winston';
import { configure } from '@logsift/sdk';
import { filePolicyCache } from '@logsift/sdk/node';
import { LogsiftTransport } from '@logsift/sdk/winston';

const service = process.env.SERVICE;
const endpoint = process.env.LOGSIFT_ENDPOINT;
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const policyFile = process.env.POLICY_FILE;
let firstPolicy;
const hasPolicy = new Promise((resolve) => (firstPolicy = resolve));
const logsift = configure({
  service,
  endpoint,
  waitSeconds: 5,
  reportIntervalMs: 200,
  policyCache: filePolicyCache(policyFile),
  onPolicy: (policy) => {
    say({ event: 'policy', version: policy.version });
    firstPolicy();
  },
  onError: (error) => process.stderr.write(`${error}\n`),
});
const viaWinston = winston.createLogger({ level: 'debug', transports: [new LogsiftTransport({ logsift })] });
// The pino worker starts once the app has a policy, and begins with it from the file the app keeps it in.
await hasPolicy;
const transport = pino.transport({ target: '@logsift/sdk/pino', options: { service, endpoint, instance: 'pino-worker', reportIntervalMs: 200, policyFile } });
const viaPino = pino({ level: 'debug' }, transport);
say({ event: 'ready' });

let logged = 0;
function line(i, marker) {
  const kind = i % 10;
  if (kind === 0) return { level: 'error', text: `${marker}payment ${i} failed: card_declined for order ${i * 7}` };
  if (kind < 4) return { level: 'debug', text: `${marker}cache miss for key product:${i}:price` };
  if (kind < 6) return { level: 'info', text: `${marker}user ${i} logged in from 10.0.${i % 250}.${i % 7}` };
  return { level: 'info', text: `${marker}GET /api/items/${i} 200 ${i % 97}ms` };
}

function log(n, channels, marker) {
  for (let i = 0; i < n; i++) {
    const { level, text } = line(logged, marker);
    const channel = channels[logged % channels.length];
    if (channel === 'winston') viaWinston.log(level, text, { order: logged, channel });
    else if (channel === 'pino') viaPino[level]({ order: logged, channel }, text);
    else logsift.logger.emit({ body: text, severityNumber: level === 'error' ? 17 : level === 'debug' ? 5 : 9, severityText: level.toUpperCase(), attributes: { channel } });
    logged += 1;
  }
}

for await (const command of readline.createInterface({ input: process.stdin })) {
  const [verb, count] = command.split(' ');
  if (verb === 'log') {
    log(Number(count), ['winston', 'pino', 'otel'], '');
    say({ event: 'logged', logged });
  } else if (verb === 'switch') {
    log(Number(count), ['winston', 'otel'], 'after-switch ');
    say({ event: 'logged', logged });
  } else if (verb === 'stop') {
    await new Promise((resolve) => {
      transport.once('close', resolve);
      viaPino.flush();
      transport.end();
    });
    await logsift.shutdown();
    say({ event: 'stopped', logged, failures: logsift.processor.failures, reported: logsift.reporter.sent, unreported: logsift.reporter.dropped });
    process.exit(0);
  }
}
