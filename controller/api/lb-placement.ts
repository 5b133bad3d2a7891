// What a load balancer create's flavor_id, availability_zone and provider decide:
// the provider driver, the topology, and the flavor and zone stored with it, with
// Octavia's checks (unknown -> invalid, disabled -> not allowed, a provider that
// differs from the flavor's -> mismatch) and its re-validation of the profiles'
// data by the chosen driver.
import { VeloxError } from '../errors.js';
import { getAvailabilityZone } from '../db/availability-zone-repo.js';
import { getFlavor } from '../db/flavor-repo.js';
import { AVAILABILITY_ZONE_PROFILE_TABLE, FLAVOR_PROFILE_TABLE, getProfile } from '../db/profile-repo.js';
import type { ApiDeps } from './deps.js';
import { flavorTopology } from './flavor-capabilities.js';
import { providerDriver, resolveProvider, validateProfileData } from './provider-catalog.js';
import type { LoadBalancerPost } from './schemas/load-balancer.js';

export interface Placement {
  provider: string;
  topology: string;
  flavorId: string | null;
  availabilityZone: string | null;
  /** The zone profile's validated data ({} without a zone): checked against the VIP next. */
  zoneData: Record<string, unknown>;
}

async function profileData(deps: ApiDeps, table: typeof FLAVOR_PROFILE_TABLE, id: string) {
  const profile = await getProfile(deps.db, table, id);
  // Profiles in use cannot be deleted: a missing one is a broken database.
  if (!profile) throw new Error(`${table.table} ${id} is missing`);
  return profile;
}

export async function resolvePlacement(deps: ApiDeps, lb: LoadBalancerPost): Promise<Placement> {
  const flavor = lb.flavor_id ? await getFlavor(deps.db, lb.flavor_id) : undefined;
  if (lb.flavor_id) {
    if (!flavor) throw new VeloxError('ValidationException', { detail: 'Invalid flavor_id.' });
    if (!flavor.enabled) throw new VeloxError('DisabledOption', { option: 'flavor', value: lb.flavor_id });
  }
  const zone = lb.availability_zone ? await getAvailabilityZone(deps.db, lb.availability_zone) : undefined;
  if (lb.availability_zone) {
    if (!zone) throw new VeloxError('ValidationException', { detail: 'Invalid availability zone.' });
    if (!zone.enabled) {
      throw new VeloxError('DisabledOption', { option: 'availability_zone', value: lb.availability_zone });
    }
  }

  const flavorProfile = flavor && (await profileData(deps, FLAVOR_PROFILE_TABLE, flavor.flavor_profile_id));
  if (
    flavorProfile &&
    lb.provider &&
    providerDriver(lb.provider) !== providerDriver(flavorProfile.provider_name)
  ) {
    throw new VeloxError('ProviderFlavorMismatchError', { flav: lb.flavor_id!, prov: lb.provider });
  }
  const provider = resolveProvider(deps.config, lb.provider ?? flavorProfile?.provider_name);

  const flavorData = flavorProfile ? validateProfileData(deps, provider, 'flavor', flavorProfile.data) : {};
  let zoneData: Record<string, unknown> = {};
  if (zone) {
    const zoneProfile = await profileData(
      deps,
      AVAILABILITY_ZONE_PROFILE_TABLE,
      zone.availability_zone_profile_id,
    );
    zoneData = validateProfileData(deps, provider, 'availability_zone', zoneProfile.data);
  }
  return {
    provider,
    topology: flavorTopology(flavorData) ?? deps.config.controllerWorker.loadbalancerTopology,
    flavorId: flavor?.id ?? null,
    availabilityZone: zone?.name ?? null,
    zoneData,
  };
}
