// IANA timezone names, checked against the runtime's tz database (the same one Agenda uses).
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

// Building an Intl.DateTimeFormat costs tens of µs; thousands of merchants share a few zones.
const cache = new Map<string, string | undefined>();

/** The canonically cased zone name, or undefined when the runtime does not know it. */
export function canonicalTimezone(name: string): string | undefined {
  if (cache.has(name)) return cache.get(name);
  if (cache.size > 1000) cache.clear();
  const result = resolve(name);
  cache.set(name, result);
  return result;
}

function resolve(name: string): string | undefined {
  if (!IANA_SHAPE.test(name)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return undefined;
  }
}
