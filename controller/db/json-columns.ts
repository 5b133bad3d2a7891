// JSON text columns (lists and maps), written and read the same way on SQLite and
// PostgreSQL. A malformed value reads as empty rather than failing a whole listing.

/** A JSON array of strings, or null when the column is null. */
export function jsonListOrNull(text: string | null): string[] | null {
  if (text === null) return null;
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.map(String) : [];
}

/** A JSON object of string values ({} when null). */
export function jsonStringMap(text: string | null): Record<string, string> {
  const v: unknown = text === null ? {} : JSON.parse(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** null stays null; a list becomes its JSON text. */
export function listColumn(list: readonly string[] | null | undefined): string | null {
  return list === null || list === undefined ? null : JSON.stringify(list);
}

/** An optional boolean as the 0 | 1 | null of an integer column. */
export function boolColumn(b: boolean | null | undefined): number | null {
  return b === null || b === undefined ? null : b ? 1 : 0;
}
