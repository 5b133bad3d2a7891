// What operators offer users at load balancer create: providers and their
// capabilities, flavors, availability zones, and the profiles behind them.
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps.js';
import { availabilityZoneRoutes } from './availability-zones.js';
import { flavorRoutes } from './flavors.js';
import { AVAILABILITY_ZONE_PROFILES, FLAVOR_PROFILES, profileRoutes } from './profiles.js';
import { providerRoutes } from './providers.js';

export function catalogRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(providerRoutes(deps));
    await app.register(profileRoutes(deps, FLAVOR_PROFILES));
    await app.register(flavorRoutes(deps));
    await app.register(profileRoutes(deps, AVAILABILITY_ZONE_PROFILES));
    await app.register(availabilityZoneRoutes(deps));
  };
}
