// The `redact` processor: personal data and secrets removed from every record before anything else sees it —
// bodies (strings, JSON in strings, maps and arrays, walked), record attributes and resource attributes — by
// the recognisers (recognisers.ts) and by key (a deny list; or an allow list, failing closed). Placed first
// among the content processors (the order check says so), nothing after it — the miner's examples, retro
// buffers, the tape, an LLM's context, alerts, exports — ever holds a raw value. Each record that had
// something redacted says what in `logsift.redacted` (e.g. `card=1,email=2`); counts per recogniser are
// metrics. Shaped after the Collector's redactionprocessor (allowed_keys, ignored_keys, blocked key patterns,
// hashing, a summary) and Presidio's recognisers.
import { readFileSync } from 'node:fs';
import { map } from 'rxjs';
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { AttributeValue } from '../../pipeline/any_value.js';
import type { ArrivedBytes, Attributes, LogBatch, LogRecordView } from '../../pipeline/batch.js';
import type { Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import type { ConfigProblem } from '../../config/problems.js';
import { RECOGNISERS, type Recogniser } from './recognisers.js';
import { JSON_TO_WALK, Redactor, type Counts, type Plain, type RedactAction } from './redactor.js';
import { DEFAULT_BLOCKED_KEYS } from './quick_look.js';

export { DEFAULT_BLOCKED_KEYS };

export interface RedactConfig {
  /** Recognisers switched off (many keep IPs: `exclude: [ipv4, ipv6]`). */
  exclude: Recogniser[];
  /** Per recogniser (and `key`, for values under blocked keys) the action; `default` for the rest. */
  actions: Partial<Record<Recogniser | 'key' | 'default', RedactAction>>;
  /** The HMAC key for `hash`: from a file (its bytes) or given inline (say `${env:LOGSIFT_REDACT_KEY}`). */
  hash_key: string;
  hash_key_file: string;
  /** Regular expressions (case-insensitive) for keys whose values are redacted whole. */
  blocked_key_patterns: string[];
  /** When not empty, every key not listed has its value redacted whole (fail closed). */
  allowed_keys: string[];
  /** Keys never touched, besides service.name and the pipeline's own logsift.* attributes. */
  ignored_keys: string[];
  body: boolean;
  attributes: boolean;
  resource_attributes: boolean;
  /** The attribute that says what was redacted from a record ('' for none). */
  summary_attribute: string;
}

const actionSchema = { enum: ['mask', 'hash', 'drop'] };
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exclude: { type: 'array', uniqueItems: true, items: { enum: [...RECOGNISERS] } },
    actions: { type: 'object', additionalProperties: false, properties: Object.fromEntries([...RECOGNISERS, 'key', 'default'].map((k) => [k, actionSchema])) },
    hash_key: { type: 'string' },
    hash_key_file: { type: 'string' },
    blocked_key_patterns: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowed_keys: { type: 'array', items: { type: 'string', minLength: 1 } },
    ignored_keys: { type: 'array', items: { type: 'string', minLength: 1 } },
    body: { type: 'boolean' },
    attributes: { type: 'boolean' },
    resource_attributes: { type: 'boolean' },
    summary_attribute: { type: 'string' },
  },
};
const checkSchema = compileConfigSchema(schema);

const ALWAYS_IGNORED = ['service.name', 'service.namespace', 'service.version', 'service.instance.id'];

function validate(config: RedactConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  const hashing = Object.values(config.actions).includes('hash');
  if (hashing && config.hash_key === '' && config.hash_key_file === '') problems.push({ path: 'hash_key', message: 'the hash action needs a key (hash_key or hash_key_file): an unkeyed hash of a card number or an email can be reversed by trying candidates' });
  if (config.hash_key !== '' && config.hash_key_file !== '') problems.push({ path: 'hash_key_file', message: 'give hash_key or hash_key_file, not both' });
  config.blocked_key_patterns.forEach((p, i) => {
    try {
      new RegExp(p, 'i');
    } catch (error) {
      problems.push({ path: `blocked_key_patterns[${i}]`, message: `not a regular expression: ${(error as Error).message}` });
    }
  });
  return problems;
}

/** The redactor a config describes (the processor's, and the benchmark's). */
export function redactorFromConfig(config: RedactConfig): Redactor {
  const hashKey = config.hash_key_file ? readFileSync(config.hash_key_file) : config.hash_key ? Buffer.from(config.hash_key, 'utf8') : undefined;
  const { default: defaultAction = 'mask', ...actions } = config.actions;
  return new Redactor({
    recognisers: new Set(RECOGNISERS.filter((r) => !config.exclude.includes(r))),
    actions,
    defaultAction,
    blockedKeys: config.blocked_key_patterns,
    allowedKeys: config.allowed_keys.length > 0 ? new Set(config.allowed_keys) : undefined,
    ignoredKeys: new Set([...ALWAYS_IGNORED, ...config.ignored_keys, ...(config.summary_attribute ? [config.summary_attribute] : [])]),
    hashKey,
  });
}

class RedactProcessor implements Processor {
  readonly operator;
  readonly #redactor: Redactor;
  readonly #counter;
  /** Resources already redacted (a resource is shared by the scope groups under it). */
  #seenResources = new WeakSet<object>();

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly config: RedactConfig,
  ) {
    this.#redactor = redactorFromConfig(config);
    this.#counter = settings.telemetry.counter({ name: 'logsift_redacted_total', help: 'Values redacted, by recogniser (`key`: a value under a blocked or not-allowed key).', labelNames: ['processor', 'recogniser'] as const });
    this.operator = countedOperator(settings, map((batch: LogBatch) => this.#redact(batch)));
  }

  #redact(batch: LogBatch): LogBatch {
    const total: Counts = new Map();
    // One record's counts (cleared for each: a map a record would be most of what redaction allocates on a clean one).
    const counts: Counts = new Map();
    for (const group of batch.groups()) {
      if (this.config.resource_attributes && !this.#seenResources.has(group.resource)) {
        this.#seenResources.add(group.resource);
        counts.clear();
        this.#attributes(group.resource.attributes, counts);
        add(total, counts);
      }
      for (const record of group.records) {
        // A record read from protobuf is first looked at in its bytes — its body, then each attribute: most
        // need nothing decoded at all, the rest only what may hold something, each replaced in its own field's place.
        const arrived = record.arrived;
        const inBody = !this.config.body ? 0 : arrived ? this.#redactor.arrivedBody(record, arrived) : undefined;
        // (Clearing a map gives it a new table even when it is empty: most records leave it empty.)
        if (counts.size > 0) counts.clear();
        if (inBody !== 0) this.#body(record, counts, inBody === undefined ? undefined : inBody & ~JSON_TO_WALK);
        if (this.config.attributes) {
          if (arrived) this.#arrivedAttributes(record, arrived, counts);
          else this.#attributes(record.attributes, counts);
        }
        if (counts.size === 0) continue;
        if (this.config.summary_attribute) record.attributes.set(this.config.summary_attribute, summary(counts));
        add(total, counts);
      }
    }
    this.#redactor.releaseRequest();
    for (const [name, n] of total) this.#counter.inc({ processor: this.settings.id, recogniser: name }, n);
    return batch;
  }

  /** `mayMatch`: the recognisers the first look found possible in a string body (undefined: not looked at). */
  #body(record: LogRecordView, counts: Counts, mayMatch: number | undefined): void {
    const body = record.body;
    if (typeof body === 'string') {
      const text = this.#redactor.text(body, counts, 0, mayMatch);
      if (text !== body) record.setBody(text);
      return;
    }
    // (A number is walked too: a card number may come as one.)
    if (body === null || typeof body === 'boolean' || body instanceof Uint8Array) return;
    const found = sum(counts);
    const walked = this.#redactor.plain(body as Plain, counts);
    if (sum(counts) !== found) record.setBody(walked as AttributeValue);
  }

  #attributes(attributes: Attributes, counts: Counts): void {
    if (attributes.size === 0) return;
    for (const [key, value] of Object.entries(attributes.toObject())) {
      const redacted = this.#value(key, value, counts);
      if (redacted === UNCHANGED) continue;
      if (redacted === undefined) attributes.delete(key);
      else attributes.set(key, redacted);
    }
  }

  /** A record read from protobuf: only the attributes its bytes flag are decoded, and each replaced in its own field's place. */
  #arrivedAttributes(record: LogRecordView, arrived: ArrivedBytes, counts: Counts): void {
    const count = arrived.keys.length / 3;
    for (let index = 0; index < count; index++) {
      const look = this.#redactor.arrivedAttribute(arrived, index);
      if (look === 0) continue;
      const key = this.#redactor.arrivedKey(arrived, index);
      const attribute = record.arrivedAttribute(index, key?.text);
      if (attribute === undefined) continue;
      const redacted = this.#value(attribute.key, attribute.value, counts, look & ~JSON_TO_WALK, key?.blocked, key === undefined ? undefined : key.context);
      if (redacted !== UNCHANGED) record.replaceArrivedAttribute(index, attribute.key, redacted);
    }
  }

  /**
   * An attribute's value redacted: UNCHANGED, the new value, or undefined (removed: a blocked key's value
   * under `drop`). `mayMatch`: the recognisers the first look found possible in a string value, where it looked;
   * `blocked` and `context`: the key's verdict, where it was judged already.
   */
  #value(key: string, value: AttributeValue, counts: Counts, mayMatch?: number, blocked = this.#redactor.keyBlocked(key), context = this.#redactor.keyContext(key)): AttributeValue | undefined | typeof UNCHANGED {
    if (this.#redactor.keyIgnored(key) || key.startsWith('logsift.')) return UNCHANGED;
    if (blocked) return this.#redactor.blockedValue(value as Plain, counts) as AttributeValue | undefined;
    // A bare number under a key that says what it is (`customer.phone`: 4155552671).
    if (context !== undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')) {
      const replaced = this.#redactor.underKey(context, value, counts);
      if (replaced !== undefined) return replaced;
    }
    if (typeof value === 'string') {
      const text = this.#redactor.text(value, counts, 0, mayMatch);
      return text === value ? UNCHANGED : text;
    }
    // Maps and lists are walked; so is a number (a card number may come as one).
    if (value === null || typeof value === 'boolean' || value instanceof Uint8Array) return UNCHANGED;
    const found = sum(counts);
    const walked = this.#redactor.plain(value as Plain, counts);
    return sum(counts) === found ? UNCHANGED : (walked as AttributeValue);
  }

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

/** #value's answer for a value left as it was. */
const UNCHANGED = Symbol('unchanged');

function sum(counts: Counts): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

function add(into: Counts, from: Counts): void {
  // (forEach: a for-of over a map allocates an entry per pair, and this runs for every record redacted.)
  from.forEach((v, k) => into.set(k, (into.get(k) ?? 0) + v));
}

/** Every name a count may have, in the order the summary lists them (alphabetical). */
const SUMMARY_ORDER: ReadonlyArray<Recogniser | 'key'> = [...RECOGNISERS, 'key' as const].sort();

function summary(counts: Counts): string {
  // (Most records hold one kind: no sorting.)
  if (counts.size === 1) for (const [k, v] of counts) return `${k}=${v}`;
  let out = '';
  for (const name of SUMMARY_ORDER) {
    const n = counts.get(name);
    if (n !== undefined) out += out === '' ? `${name}=${n}` : `,${name}=${n}`;
  }
  return out;
}

export function defaultRedactConfig(): RedactConfig {
  return {
    exclude: [],
    actions: { default: 'mask' },
    hash_key: '',
    hash_key_file: '',
    blocked_key_patterns: [...DEFAULT_BLOCKED_KEYS],
    allowed_keys: [],
    ignored_keys: [],
    body: true,
    attributes: true,
    resource_attributes: true,
    summary_attribute: 'logsift.redacted',
  };
}

export const redactProcessorFactory: ProcessorFactory<RedactConfig> = {
  kind: 'processor',
  type: 'redact',
  placement: { provides: ['redaction'] },
  defaultConfig: defaultRedactConfig,
  validate,
  create: (settings, config) => new RedactProcessor(settings, config),
};
