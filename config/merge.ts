// Fills a component's defaults under what the user wrote: mappings merge key by key, anything else replaces,
// and an empty value where a mapping is expected (`grpc:` with nothing after it) means "the defaults"; an
// explicit null for a scalar (`keep_fraction: null`) is a value like any other — the way to turn one off.
export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function mergeDefaults(defaults: unknown, user: unknown): unknown {
  if (user === undefined || (user === null && (isMapping(defaults) || defaults === undefined))) return structuredClone(defaults);
  if (isMapping(defaults) && isMapping(user)) {
    const out: Record<string, unknown> = structuredClone(defaults);
    for (const [key, value] of Object.entries(user)) out[key] = key in defaults ? mergeDefaults(defaults[key], value) : value;
    return out;
  }
  return user;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
