// Component config schemas are JSON Schema, checked with ajv; errors come back as dotted paths relative to
// the component's block, with a nearest-key hint for unknown keys.
import { Ajv, type ErrorObject, type Schema } from 'ajv';
import type { ConfigProblem } from './problems.js';
import { isDuration, parseDuration } from './duration.js';
import { parseEndpoint } from './endpoint.js';
import { unknownKeyMessage } from './nearest_key.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
ajv.addFormat('endpoint', { type: 'string', validate: (s: string) => parseEndpoint(s) !== undefined });

const DURATION_HINT = 'must be a duration such as 500ms, 30s or 5m';
// A duration is a string in Go's notation, or the number 0 (what a Collector config writes for "none" —
// `max_elapsed_time: 0`). Any other bare number is refused by name: the Collector would read `timeout: 200` as
// 200 nanoseconds, which nobody means. A valid one is replaced where it stands by its `Duration`, so the
// config a component is created with holds milliseconds; one already read (a default) passes as it is.
ajv.addKeyword({
  keyword: 'duration',
  schemaType: 'boolean',
  modifying: true,
  errors: true,
  validate: function checkDuration(this: unknown, _schema: boolean, data: unknown, _parent: unknown, context?: { parentData: Record<string | number, unknown>; parentDataProperty: string | number }): boolean {
    const fail = (message: string) => {
      (checkDuration as { errors?: Array<Partial<ErrorObject>> }).errors = [{ keyword: 'duration', message, params: {} }];
      return false;
    };
    if (isDuration(data)) return true;
    if (typeof data === 'number' && data !== 0) return fail(`${DURATION_HINT}, with its unit (a bare ${data} would be nanoseconds in the Collector)`);
    const text = data === 0 ? '0' : data;
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined) return fail(DURATION_HINT);
    if (context) context.parentData[context.parentDataProperty] = { ms, text };
    return true;
  },
});

/** The schema of a duration setting (see the `duration` keyword above). */
export const DURATION_SCHEMA = { duration: true } as const;

const FORMAT_HINTS: Record<string, string> = {
  endpoint: 'must be host:port, e.g. 127.0.0.1:4317',
};

function dotted(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function toProblem(error: ErrorObject): ConfigProblem {
  const path = dotted(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const props = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return { path: join(path, key), message: unknownKeyMessage(key, props) };
    }
    case 'required':
      return { path: join(path, (error.params as { missingProperty: string }).missingProperty), message: 'is required' };
    case 'format': {
      const format = (error.params as { format: string }).format;
      return { path, message: FORMAT_HINTS[format] ?? error.message ?? 'invalid format' };
    }
    case 'enum':
      return { path, message: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

export function compileConfigSchema(schema: Schema): (config: unknown) => ConfigProblem[] {
  const validate = ajv.compile(schema);
  return (config) => (validate(config) ? [] : (validate.errors ?? []).map(toProblem));
}
