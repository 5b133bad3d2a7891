// One capability of a provider's flavor or availability zone profiles: its name and
// description (what GET .../flavor_capabilities lists) and the JSON type it accepts,
// as a provider driver's JSON schema says it (Octavia's amphora driver schemas).
export interface Capability {
  name: string;
  description: string;
  type: 'string' | 'boolean' | 'array';
  /** A closed set of string values (a schema `enum`). */
  values?: readonly string[];
  /** The type of an array's items. */
  items?: 'string';
}
