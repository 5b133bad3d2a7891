// The provider drivers this deployment lists, what each accepts in flavor and
// availability zone profiles, and the check of a profile's JSON against it (the
// drivers' validate_flavor / validate_availability_zone, with jsonschema's words).
import type { ControllerConfig } from '../config.js';
import { VeloxError } from '../errors.js';
import { PROVIDER, PROVIDER_ALIASES, checkProvider } from './validate.js';

export const NOOP_PROVIDER = 'noop_driver';

export interface Capability {
  name: string;
  description: string;
  /** The JSON values the capability accepts: a type, and maybe a closed set. */
  type: 'string';
  values?: string[];
}

export type ProfileKind = 'flavor' | 'availability_zone';

const DESCRIPTIONS: Record<string, string> = {
  velox: 'The Velox XDP load balancer driver.',
  amphora: 'Alias of the Velox driver (the Octavia Amphora driver name).',
  octavia: 'Deprecated alias of the Velox driver.',
  [NOOP_PROVIDER]: 'The No-Op driver.',
};

const VELOX_CAPABILITIES: Record<ProfileKind, Capability[]> = {
  flavor: [
    {
      name: 'loadbalancer_topology',
      description:
        'The load balancer topology. One of: SINGLE - One amphora per load balancer. ACTIVE_STANDBY - Two amphora per load balancer.',
      type: 'string',
      values: ['SINGLE', 'ACTIVE_STANDBY'],
    },
  ],
  availability_zone: [
    { name: 'compute_zone', description: 'The compute availability zone.', type: 'string' },
  ],
};

const NOOP_CAPABILITIES: Record<ProfileKind, Capability[]> = {
  flavor: [
    {
      name: 'amp_image_tag',
      description: 'The glance image tag to use for this load balancer.',
      type: 'string',
    },
  ],
  availability_zone: [
    {
      name: 'compute_zone',
      description: 'The compute availability zone to use for this loadbalancer.',
      type: 'string',
    },
  ],
};

/** Enabled providers with their descriptions, velox first (Octavia's enabled_provider_drivers). */
export function enabledProviders(config: ControllerConfig): { name: string; description: string }[] {
  const names = [PROVIDER, ...PROVIDER_ALIASES.filter((a) => a !== PROVIDER).sort()];
  if (config.providers.enableNoop) names.push(NOOP_PROVIDER);
  return names.map((name) => ({ name, description: DESCRIPTIONS[name] ?? '' }));
}

/** The capabilities of an enabled provider; otherwise Octavia's ProviderNotEnabled. */
export function providerCapabilities(
  config: ControllerConfig,
  provider: string,
  kind: ProfileKind,
): Capability[] {
  if (PROVIDER_ALIASES.includes(provider)) return VELOX_CAPABILITIES[kind];
  if (provider === NOOP_PROVIDER && config.providers.enableNoop) return NOOP_CAPABILITIES[kind];
  throw new VeloxError('ProviderNotEnabled', { prov: provider });
}

/** Python's repr of a JSON value, as jsonschema prints it in its messages. */
function pyRepr(v: unknown): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/**
 * A profile's data (JSON text) checked against its provider: a JSON object whose
 * keys are capabilities of the provider, each of the right type. Returns the object.
 */
export function validateProfileData(
  config: ControllerConfig,
  provider: string,
  kind: ProfileKind,
  text: string,
): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new VeloxError('InvalidOption', { value: text, option: `${kind}_data` });
  }
  const capabilities = providerCapabilities(config, provider, kind);
  const unsupported = (user_msg: string) =>
    new VeloxError('ProviderUnsupportedOptionError', { prov: provider, user_msg });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw unsupported(`${pyRepr(data)} is not of type 'object'`);
  }
  const obj = data as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !capabilities.some((c) => c.name === k));
  if (unknown.length) {
    const listed = unknown.map(pyRepr).join(', ');
    throw unsupported(
      `Additional properties are not allowed (${listed} ${unknown.length === 1 ? 'was' : 'were'} unexpected)`,
    );
  }
  for (const c of capabilities) {
    if (!(c.name in obj)) continue;
    const v = obj[c.name];
    if (typeof v !== c.type) throw unsupported(`${c.name} ${pyRepr(v)} is not of type '${c.type}'`);
    if (c.values && !c.values.includes(v as string)) {
      throw unsupported(`${c.name} ${pyRepr(v)} is not one of ${pyRepr(c.values)}`);
    }
  }
  return obj;
}

/**
 * The provider a load balancer gets: velox for none or an alias, noop_driver when it
 * is enabled; otherwise Octavia's ProviderNotEnabled.
 */
export function resolveProvider(config: ControllerConfig, requested: string | null | undefined): string {
  if (requested === NOOP_PROVIDER && config.providers.enableNoop) return NOOP_PROVIDER;
  return checkProvider(requested);
}

/** The driver a provider name stands for: velox for it and its aliases. */
export function providerDriver(provider: string): string {
  return PROVIDER_ALIASES.includes(provider) ? PROVIDER : provider;
}
