// Reads a Collector-shaped YAML config, substitutes ${env:...}, validates the whole tree at once and returns
// either a frozen config or every problem with its dotted path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { ComponentKind, ConfigProblem, Factory, ProcessorFactory } from './component.js';
import { parseComponentId } from './component.js';
import type { FactoryRegistry } from './registry.js';
import type { ErrorCode } from './errors.js';
import { substituteEnv } from '../config/env_substitution.js';
import { checkProcessorOrder } from './processor_order.js';
import { deepFreeze, isMapping, mergeDefaults } from '../config/merge.js';
import { nearestKey, unknownKeyMessage } from '../config/nearest_key.js';
import { loadSettings, type DaemonSettings } from '../config/settings.js';

export interface ComponentEntry {
  readonly id: string;
  readonly type: string;
  readonly config: unknown;
}

export interface PipelineSpec {
  readonly id: string;
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

export interface LogsiftConfig {
  readonly receivers: ReadonlyMap<string, ComponentEntry>;
  readonly processors: ReadonlyMap<string, ComponentEntry>;
  readonly exporters: ReadonlyMap<string, ComponentEntry>;
  readonly extensions: ReadonlyMap<string, ComponentEntry>;
  readonly pipelines: readonly PipelineSpec[];
  readonly serviceExtensions: readonly string[];
  readonly settings: DaemonSettings;
}

export type LoadResult = { kind: 'loaded'; config: LogsiftConfig } | { kind: 'invalid'; code: ErrorCode; errors: string[] };

type Env = Readonly<Record<string, string | undefined>>;

const SECTIONS = { receivers: 'receiver', processors: 'processor', exporters: 'exporter', extensions: 'extension' } as const;
type Section = keyof typeof SECTIONS;
const TOP_LEVEL_KEYS = [...Object.keys(SECTIONS), 'service'];
const PIPELINE_KEYS = ['receivers', 'processors', 'exporters'] as const;

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../config/default_config.yaml', import.meta.url));

class Problems {
  readonly list: ConfigProblem[] = [];
  /** A value whose variable is unset has one problem, that one: what its stand-in value fails is noise. */
  #unset(path: string): boolean {
    return this.list.some((p) => p.path === path && p.message.startsWith('environment variable '));
  }
  add(path: string, message: string): void {
    if (this.#unset(path)) return;
    this.list.push({ path, message });
  }
  format(): string[] {
    return this.list.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  }
}

/**
 * A component's block as the daemon will run it: merged over the defaults and validated, which also reads its
 * durations (see config/duration.ts). The one way a config becomes a component's, for the loader and tests.
 */
export function resolveComponentConfig<C>(factory: Pick<ProcessorFactory<C>, 'defaultConfig' | 'resolveConfig' | 'validate'>, userConfig: unknown): { config: C; problems: ConfigProblem[] } {
  const config = (factory.resolveConfig ? factory.resolveConfig(userConfig) : mergeDefaults(factory.defaultConfig(), userConfig)) as C;
  return { config, problems: factory.validate(config) };
}

function loadComponents(
  section: Section,
  node: unknown,
  registry: FactoryRegistry,
  problems: Problems,
): Map<string, ComponentEntry> {
  const kind: ComponentKind = SECTIONS[section];
  const entries = new Map<string, ComponentEntry>();
  if (node === undefined || node === null) return entries;
  if (!isMapping(node)) {
    problems.add(section, 'must be a mapping of component ids to their settings');
    return entries;
  }
  for (const [id, userConfig] of Object.entries(node)) {
    const path = `${section}.${id}`;
    const parsed = parseComponentId(id);
    if (!parsed) {
      problems.add(path, 'a component id is type[/name], e.g. otlp or otlp/internal');
      continue;
    }
    const factory = registry.get(kind, parsed.type) as Factory | undefined;
    if (!factory) {
      const known = registry.types(kind);
      const near = nearestKey(parsed.type, known);
      problems.add(path, `unknown ${kind} type "${parsed.type}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${known.join(', ') || 'none'}`);
      continue;
    }
    if (userConfig !== null && userConfig !== undefined && !isMapping(userConfig)) {
      problems.add(path, 'must be a mapping of settings (or empty for the defaults)');
      continue;
    }
    const { config, problems: found } = resolveComponentConfig(factory, userConfig);
    for (const problem of found) problems.add(problem.path ? `${path}.${problem.path}` : path, problem.message);
    // Under its canonical type: an alias (`otlphttp`) is the same component as `otlp_http` everywhere after.
    entries.set(id, { id, type: factory.type, config });
  }
  return entries;
}

function stringList(node: unknown, path: string, problems: Problems): string[] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node) || node.some((item) => typeof item !== 'string')) {
    problems.add(path, 'must be a list of component ids');
    return [];
  }
  return node as string[];
}

function checkReferences(ids: string[], defined: ReadonlyMap<string, ComponentEntry>, section: Section, path: string, problems: Problems): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) problems.add(`${path}[${i}]`, `"${id}" is listed twice`);
    seen.add(id);
    if (!defined.has(id)) {
      const near = nearestKey(id, [...defined.keys()]);
      problems.add(`${path}[${i}]`, `"${id}" is not configured under ${section}${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  });
}

function loadPipelines(node: unknown, components: Record<Section, Map<string, ComponentEntry>>, problems: Problems): PipelineSpec[] {
  const pipelines: PipelineSpec[] = [];
  if (!isMapping(node) || Object.keys(node).length === 0) {
    problems.add('service.pipelines', 'at least one logs pipeline is required (service.pipelines.logs)');
    return pipelines;
  }
  for (const [id, spec] of Object.entries(node)) {
    const path = `service.pipelines.${id}`;
    const parsed = parseComponentId(id);
    if (!parsed || parsed.type !== 'logs') {
      problems.add(path, parsed && ['traces', 'metrics', 'profiles'].includes(parsed.type)
        ? `logsift handles logs only; ${parsed.type} pipelines are not supported`
        : 'a pipeline id is logs or logs/<name>');
      continue;
    }
    if (!isMapping(spec)) {
      problems.add(path, 'must be a mapping with receivers, processors and exporters');
      continue;
    }
    for (const key of Object.keys(spec)) if (!(PIPELINE_KEYS as readonly string[]).includes(key)) problems.add(`${path}.${key}`, unknownKeyMessage(key, PIPELINE_KEYS));
    const receivers = stringList(spec.receivers, `${path}.receivers`, problems);
    const processors = stringList(spec.processors, `${path}.processors`, problems);
    const exporters = stringList(spec.exporters, `${path}.exporters`, problems);
    if (receivers.length === 0) problems.add(`${path}.receivers`, 'a pipeline needs at least one receiver');
    if (exporters.length === 0) problems.add(`${path}.exporters`, 'a pipeline needs at least one exporter');
    checkReferences(receivers, components.receivers, 'receivers', `${path}.receivers`, problems);
    checkReferences(processors, components.processors, 'processors', `${path}.processors`, problems);
    checkReferences(exporters, components.exporters, 'exporters', `${path}.exporters`, problems);
    pipelines.push({ id, receivers, processors, exporters });
  }
  return pipelines;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1', '[::]', '[::1]', '']);

/** The receiver (`id`) listening where `url` points, judged by the endpoints its settings name; undefined when none. */
function ownReceiverAt(url: string, receivers: ReadonlyMap<string, ComponentEntry>): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const endpoints = (node: unknown): string[] => (typeof node === 'object' && node !== null ? Object.entries(node).flatMap(([key, value]) => (key === 'endpoint' && typeof value === 'string' ? [value] : endpoints(value))) : []);
  for (const [id, entry] of receivers) {
    for (const endpoint of endpoints(entry.config)) {
      const at = endpoint.lastIndexOf(':');
      const host = endpoint.slice(0, at);
      if (endpoint.slice(at + 1) === port && (host === target.hostname || (LOCAL_HOSTS.has(host) && LOCAL_HOSTS.has(target.hostname)))) return `${id} (${endpoint})`;
    }
  }
  return undefined;
}

export function parseConfigText(text: string, registry: FactoryRegistry, env: Env): LoadResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return { kind: 'invalid', code: 'LOGSIFT_ERR_CONFIG_SYNTAX', errors: doc.errors.map((e) => `YAML: ${e.message}`) };
  const problems = new Problems();
  const root = substituteEnv(doc.toJS(), env, problems.list);
  if (!isMapping(root)) return { kind: 'invalid', code: 'LOGSIFT_ERR_CONFIG_INVALID', errors: ['the configuration must be a YAML mapping with receivers, exporters and service'] };

  for (const key of Object.keys(root)) if (!TOP_LEVEL_KEYS.includes(key)) problems.add(key, unknownKeyMessage(key, TOP_LEVEL_KEYS));

  const components = {
    receivers: loadComponents('receivers', root.receivers, registry, problems),
    processors: loadComponents('processors', root.processors, registry, problems),
    exporters: loadComponents('exporters', root.exporters, registry, problems),
    extensions: loadComponents('extensions', root.extensions, registry, problems),
  };

  const service = root.service ?? {};
  let pipelines: PipelineSpec[] = [];
  let serviceExtensions: string[] = [];
  let settings: DaemonSettings | undefined;
  if (!isMapping(service)) {
    problems.add('service', 'must be a mapping with pipelines');
  } else {
    const { pipelines: pipelinesNode, extensions: extensionsNode, ...settingsNode } = service;
    pipelines = loadPipelines(pipelinesNode, components, problems);
    const processorFactories = registry.types('processor').map((type) => registry.get('processor', type)!);
    for (const spec of pipelines) {
      const placed = spec.processors.map((id) => {
        const entry = components.processors.get(id);
        return { id, factory: entry && registry.get('processor', entry.type), config: entry?.config };
      });
      for (const problem of checkProcessorOrder(placed, processorFactories, `service.pipelines.${spec.id}.processors`)) problems.add(problem.path, problem.message);
    }
    serviceExtensions = stringList(extensionsNode, 'service.extensions', problems);
    checkReferences(serviceExtensions, components.extensions, 'extensions', 'service.extensions', problems);
    const loaded = loadSettings(settingsNode, env);
    for (const problem of loaded.problems) problems.add(problem.path, problem.message);
    settings = loaded.settings;
    const own = settings?.logsOtlp && ownReceiverAt(settings.logsOtlp.endpoint, components.receivers);
    if (own) problems.add('service.telemetry.logs.otlp.endpoint', `is this daemon's own receiver ${own}: its logs would go into its own pipeline (and each line it logs about them, again); send them to another collector`);
  }

  if (problems.list.length > 0 || !settings) return { kind: 'invalid', code: 'LOGSIFT_ERR_CONFIG_INVALID', errors: problems.format() };
  return { kind: 'loaded', config: deepFreeze({ ...components, pipelines, serviceExtensions, settings }) };
}

export function loadConfigFile(file: string, registry: FactoryRegistry, env: Env): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { kind: 'invalid', code: 'LOGSIFT_ERR_CONFIG_READ', errors: [`cannot read ${file}: ${(error as Error).message}`] };
  }
  return parseConfigText(text, registry, env);
}
