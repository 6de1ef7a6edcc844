const valid = new Map<string, boolean>();

/** True for a zone the runtime's ICU knows (`Europe/Lisbon`, `UTC`); the result is cached. */
export function isValidTimeZone(zone: string): boolean {
  let ok = valid.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = zone.length > 0;
    } catch {
      ok = false;
    }
    valid.set(zone, ok);
  }
  return ok;
}
