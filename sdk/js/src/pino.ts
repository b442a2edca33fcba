// A pino transport (`pino.transport({ target: '@logsift/sdk/pino', options: { service, endpoint } })`): pino
// runs it in a worker thread, so the SDK is configured there from the options; each line becomes an
// OpenTelemetry log record of the service, sampled at the source on its way out. `policyFile` keeps the last
// policy on disk (filePolicyCache): a worker started after its application had one begins with it.
import build from 'pino-abstract-transport';
import { configure, type ConfigureOptions } from './configure.js';
import { fieldsAsAttributes } from './attributes.js';
import { filePolicyCache } from './node.js';
import { pinoSeverity } from './severity.js';

const SKIP = new Set(['level', 'msg', 'time', 'pid', 'hostname']);

export default async function logsiftTransport(options: ConfigureOptions & { policyFile?: string }) {
  const { policyFile, ...rest } = options;
  const logsift = configure({ ...rest, ...(policyFile ? { policyCache: filePolicyCache(policyFile) } : {}) });
  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      for await (const line of source) {
        try {
          const level = typeof line.level === 'number' ? line.level : 30;
          logsift.logger.emit({
            body: typeof line.msg === 'string' ? line.msg : '',
            severityNumber: pinoSeverity(level),
            ...(typeof line.time === 'number' ? { timestamp: line.time } : {}),
            attributes: fieldsAsAttributes(line, SKIP),
          });
        } catch {
          // A line the SDK cannot take is the SDK's problem, never the application's.
        }
      }
    },
    { close: async () => logsift.shutdown() },
  );
}
