// IANA timezone names, checked against the runtime's tz database (the same one Agenda uses).
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** The canonically cased zone name, or undefined when the runtime does not know it. */
export function canonicalTimezone(name: string): string | undefined {
  if (!IANA_SHAPE.test(name)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return undefined;
  }
}
