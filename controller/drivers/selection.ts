// Which drivers the controller runs with (config.drivers), checked as a set: the local
// compute driver plugs namespaces into the local network's bridges and its agents
// speak gRPC, so the no-op drivers replace the real ones from the amphora outwards:
//   netns + local + grpc   the real thing (root, namespaces, agents)
//   noop  + local + noop   local IPAM (configured subnets), no amphora is built
//   noop  + noop  + noop   any subnet/network/port id accepted, nothing is built
// The secrets driver (config.secrets.driver) is independent of these: the local store
// keeps working with the no-op drivers, so TLS refs are checked the same way.
import type { ControllerConfig, DriverSelection } from '../config.js';
import type { Db } from '../db/database.js';
import { grpcAmphoraDriver } from './amphora/grpc.js';
import { NoopAmphoraDriver } from './amphora/noop.js';
import type { AmphoraDriver } from './amphora/types.js';
import { NetnsCompute } from './compute/netns.js';
import { NoopCompute } from './compute/noop.js';
import { LocalNetworkDriver } from './network/local.js';
import { NoopNetworkDriver } from './network/noop.js';
import type { NetworkDriver } from './network/types.js';
import { localSecrets } from './secrets/local.js';
import type { SecretsDriver } from './secrets/types.js';

const CHOICES: { [K in keyof DriverSelection]: DriverSelection[K][] } = {
  compute: ['netns', 'noop'],
  network: ['local', 'noop'],
  amphora: ['grpc', 'noop'],
};

/** The selection, or an error naming the first key or combination that cannot work. */
export function checkDriverSelection(drivers: object): DriverSelection {
  // The JSON file's values are not checked by the type system: check them here.
  const given = drivers as Record<string, unknown>;
  for (const [key, allowed] of Object.entries(CHOICES)) {
    if (!(allowed as unknown[]).includes(given[key])) {
      throw new Error(
        `drivers.${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(given[key])}`,
      );
    }
  }
  const d = drivers as DriverSelection;
  if (d.compute === 'netns' && d.network !== 'local') {
    throw new Error('drivers.compute "netns" needs drivers.network "local" (its bridges)');
  }
  if ((d.compute === 'noop') !== (d.amphora === 'noop')) {
    throw new Error(
      'drivers.compute and drivers.amphora must both be "noop" or neither (no amphora, no agent)',
    );
  }
  return d;
}

export interface Drivers {
  selection: DriverSelection;
  compute: NetnsCompute | NoopCompute;
  network: NetworkDriver;
  amphora: AmphoraDriver;
  /** Where listeners' and pools' TLS refs are resolved, by the API and the worker alike. */
  secrets: SecretsDriver;
  /** The host's bridges are needed (netns compute): make them and remove them. */
  usesHostNetworks: boolean;
  /** Real agents send heartbeats: run the health service and the stale checker. */
  expectsHeartbeats: boolean;
}

export async function selectDrivers(config: ControllerConfig, db: Db): Promise<Drivers> {
  const selection = checkDriverSelection(config.drivers);
  let network: NetworkDriver;
  if (selection.network === 'noop') {
    const noop = new NoopNetworkDriver(db);
    await noop.restore();
    network = noop;
  } else {
    network = new LocalNetworkDriver(db, config.network);
  }
  // config.secrets.driver is checked by controllerConfig; 'local' is the only one yet.
  const secrets = localSecrets(db, config);
  if (selection.compute === 'noop') {
    const amphora = new NoopAmphoraDriver();
    const compute = new NoopCompute({ onDelete: (id) => amphora.forget(id) });
    return {
      selection,
      compute,
      network,
      amphora,
      secrets,
      usesHostNetworks: false,
      expectsHeartbeats: false,
    };
  }
  const compute = new NetnsCompute({
    prefix: config.network.prefix,
    stateDir: config.stateDir,
    agentCommand: config.agent.command,
  });
  return {
    selection,
    compute,
    network,
    amphora: grpcAmphoraDriver,
    secrets,
    usesHostNetworks: true,
    expectsHeartbeats: true,
  };
}
