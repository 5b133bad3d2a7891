// The provider drivers this deployment lists, what each accepts in flavor and
// availability zone profiles, and the check of a profile's JSON against it (the
// drivers' validate_flavor / validate_availability_zone, with jsonschema's words).
// A load balancer keeps the provider name its request used (or the default's), as
// Octavia stores driver.name: `amphora` stays `amphora`, though every alias is the
// one Velox driver.
import type { ControllerConfig } from '../config.js';
import { VeloxError } from '../errors.js';
import type { NetworkDriver } from '../drivers/network/types.js';
import {
  AMPHORA_AVAILABILITY_ZONE_CAPABILITIES,
  checkZoneNetworks,
} from './availability-zone-capabilities.js';
import type { Capability } from './capability.js';
import { AMPHORA_FLAVOR_CAPABILITIES } from './flavor-capabilities.js';

export type { Capability } from './capability.js';

/** The driver behind the amphora provider names. */
export const VELOX_DRIVER = 'velox';
export const NOOP_PROVIDER = 'noop_driver';

/** The names clients use for the Velox driver, with their descriptions, in listing order. */
const VELOX_PROVIDERS: Record<string, string> = {
  amphora: 'The Velox amphora driver (the Octavia Amphora provider name).',
  octavia: 'Deprecated alias of the amphora driver.',
  velox: 'The Velox XDP load balancer driver (the amphora driver under its own name).',
};

export function isVeloxProvider(name: string): boolean {
  return Object.hasOwn(VELOX_PROVIDERS, name);
}

export type ProfileKind = 'flavor' | 'availability_zone';

const VELOX_CAPABILITIES: Record<ProfileKind, readonly Capability[]> = {
  flavor: AMPHORA_FLAVOR_CAPABILITIES,
  availability_zone: AMPHORA_AVAILABILITY_ZONE_CAPABILITIES,
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

function providerEnabled(config: ControllerConfig, name: string): boolean {
  return isVeloxProvider(name) || (name === NOOP_PROVIDER && config.providers.enableNoop);
}

/** The configured default names an enabled provider: checked when the app is built. */
export function checkDefaultProvider(config: ControllerConfig): void {
  const name = config.providers.default;
  if (!providerEnabled(config, name)) {
    throw new Error(`providers.default ${JSON.stringify(name)} is not an enabled provider`);
  }
}

/** Enabled providers with their descriptions, the default first (Octavia's enabled_provider_drivers). */
export function enabledProviders(config: ControllerConfig): { name: string; description: string }[] {
  const all = Object.entries(VELOX_PROVIDERS).map(([name, description]) => ({ name, description }));
  if (config.providers.enableNoop) all.push({ name: NOOP_PROVIDER, description: 'The No-Op driver.' });
  const def = config.providers.default;
  return [...all.filter((p) => p.name === def), ...all.filter((p) => p.name !== def)];
}

/** The capabilities of an enabled provider; otherwise Octavia's ProviderNotEnabled. */
export function providerCapabilities(
  config: ControllerConfig,
  provider: string,
  kind: ProfileKind,
): readonly Capability[] {
  if (isVeloxProvider(provider)) return VELOX_CAPABILITIES[kind];
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

/** JSON Schema's type of a JSON value, for the capability types providers use. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/** The first way `v` breaks the capability, in jsonschema's words, or undefined. */
function capabilityError(c: Capability, v: unknown): string | undefined {
  if (jsonType(v) !== c.type) return `${c.name} ${pyRepr(v)} is not of type '${c.type}'`;
  if (c.values && !c.values.includes(v as string)) {
    return `${c.name} ${pyRepr(v)} is not one of ${pyRepr(c.values)}`;
  }
  if (c.items) {
    const bad = (v as unknown[]).find((x) => jsonType(x) !== c.items);
    if (bad !== undefined) return `${c.name} ${pyRepr(bad)} is not of type '${c.items}'`;
  }
  return undefined;
}

/**
 * A profile's data (JSON text) checked against its provider: a JSON object whose
 * keys are capabilities of the provider, each of the right type, and for the Velox
 * driver's zones, naming networks that exist. Returns the object.
 */
export function validateProfileData(
  deps: { config: ControllerConfig; network: NetworkDriver },
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
  const capabilities = providerCapabilities(deps.config, provider, kind);
  // Octavia's UnsupportedOptionError from the driver, answered 501 as Octavia does.
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
    const error = capabilityError(c, obj[c.name]);
    if (error) throw unsupported(error);
  }
  if (kind === 'availability_zone' && isVeloxProvider(provider)) checkZoneNetworks(deps.network, obj);
  return obj;
}

/**
 * The provider name a load balancer gets: the one requested (any enabled name, kept as
 * given), else the default; otherwise Octavia's ProviderNotEnabled.
 */
export function resolveProvider(config: ControllerConfig, requested: string | null | undefined): string {
  const name = requested ?? config.providers.default;
  if (!providerEnabled(config, name)) throw new VeloxError('ProviderNotEnabled', { prov: name });
  return name;
}

/** The driver a provider name stands for: velox for the amphora names. */
export function providerDriver(provider: string): string {
  return isVeloxProvider(provider) ? VELOX_DRIVER : provider;
}
