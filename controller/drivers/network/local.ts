// The local network driver: networks come from configuration (one subnet each),
// ids are derived from names so they survive restarts, and IPAM is the `port`
// table (one row per address, unique per subnet).
import { createHash, randomUUID } from 'node:crypto';
import { VeloxError } from '../../errors.js';
import { stableUuid, type ControllerConfig, type LocalNetworkConfig } from '../../config.js';
import { now, type Db, type Executor } from '../../db/database.js';
import { cidrContains, defaultAllocationPool, intToIp, ipToInt, parseCidr, type Cidr } from './ipv4.js';
import type { AllocatePortRequest, Network, NetworkDriver, Port, PortFilter, Subnet } from './types.js';

/** Owner of the local networks, as Neutron shows the admin's shared networks. */
export const NETWORK_OWNER_PROJECT = 'service';

interface Entry {
  network: Network;
  subnet: Subnet;
  cidr: Cidr;
  pool: { start: number; end: number };
}

function entryOf(cfg: LocalNetworkConfig, management: boolean): Entry {
  const cidr = parseCidr(cfg.cidr);
  const pool = defaultAllocationPool(cidr);
  const networkId = stableUuid('network', cfg.name);
  const subnet: Subnet = {
    id: stableUuid('subnet', cfg.subnetName),
    name: cfg.subnetName,
    network_id: networkId,
    cidr: `${intToIp(cidr.network)}/${cidr.prefix}`,
    gateway_ip: cfg.gatewayIp,
    ip_version: 4,
    allocation_pools: [{ start: intToIp(pool.start), end: intToIp(pool.end) }],
    project_id: NETWORK_OWNER_PROJECT,
  };
  const network: Network = {
    id: networkId,
    name: cfg.name,
    subnets: [subnet.id],
    project_id: NETWORK_OWNER_PROJECT,
    bridge: cfg.bridge,
    management,
  };
  return { network, subnet, cidr, pool };
}

/** Neutron's MAC prefix, the rest derived from the port id. */
function macFor(portId: string): string {
  const h = createHash('sha1').update(portId).digest();
  return ['fa', '16', '3e', h[0]!, h[1]!, h[2]!]
    .map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0')))
    .join(':');
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|duplicate key/i.test(err.message);
}

export class LocalNetworkDriver implements NetworkDriver {
  private readonly entries: Entry[];

  constructor(
    private readonly db: Db,
    network: ControllerConfig['network'],
  ) {
    this.entries = [entryOf(network.management, true), ...network.tenant.map((n) => entryOf(n, false))];
  }

  listNetworks(): Network[] {
    return this.entries.map((e) => e.network);
  }

  listSubnets(): Subnet[] {
    return this.entries.map((e) => e.subnet);
  }

  findNetwork(idOrName: string): Network | undefined {
    return this.entries.find((e) => e.network.id === idOrName || e.network.name === idOrName)?.network;
  }

  findSubnet(idOrName: string): Subnet | undefined {
    return this.entries.find((e) => e.subnet.id === idOrName || e.subnet.name === idOrName)?.subnet;
  }

  subnetOfAddress(ip: string): Subnet | undefined {
    return this.entries.find((e) => cidrContains(e.cidr, ip))?.subnet;
  }

  async allocatePort(req: AllocatePortRequest, ex: Executor = this.db): Promise<Port> {
    const entry = this.entries.find((e) => e.subnet.id === req.subnetId);
    if (!entry) throw new VeloxError('InvalidSubresource', { resource: 'Subnet', id: req.subnetId });
    // Two tries: a concurrent allocator in another process may take the same address
    // between our read and our insert; the unique index turns that into a retry.
    for (let attempt = 0; ; attempt++) {
      const ip = req.fixedIp ?? (await this.lowestFree(entry, ex));
      if (req.fixedIp !== undefined && !cidrContains(entry.cidr, req.fixedIp)) {
        throw new VeloxError('InvalidIPAddress', { ip_addr: req.fixedIp });
      }
      const id = randomUUID();
      const row: Port = {
        id,
        project_id: req.projectId,
        name: req.name,
        network_id: entry.network.id,
        subnet_id: entry.subnet.id,
        ip_address: ip,
        mac_address: macFor(id),
        device_owner: req.deviceOwner,
        device_id: req.deviceId,
        created_at: now(),
      };
      try {
        await ex.insertInto('port').values(row).execute();
        return row;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (req.fixedIp !== undefined || attempt >= 1) {
          throw new VeloxError('IpAddressAlreadyAllocated', { ip, subnet_id: entry.subnet.id });
        }
      }
    }
  }

  private async lowestFree(entry: Entry, ex: Executor): Promise<string> {
    const used = new Set(
      (
        await ex.selectFrom('port').select('ip_address').where('subnet_id', '=', entry.subnet.id).execute()
      ).map((r) => ipToInt(r.ip_address)),
    );
    for (let n = entry.pool.start; n <= entry.pool.end; n++) {
      if (!used.has(n)) return intToIp(n);
    }
    throw new VeloxError('IpAddressGenerationFailure', { net_id: entry.network.id });
  }

  async releasePorts(deviceId: string, ex: Executor = this.db): Promise<number> {
    const r = await ex.deleteFrom('port').where('device_id', '=', deviceId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async getPort(id: string, ex: Executor = this.db): Promise<Port | undefined> {
    return ex.selectFrom('port').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listPorts(filter: PortFilter = {}, ex: Executor = this.db): Promise<Port[]> {
    let q = ex.selectFrom('port').selectAll();
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (filter.networkId !== undefined) q = q.where('network_id', '=', filter.networkId);
    if (filter.deviceId !== undefined) q = q.where('device_id', '=', filter.deviceId);
    return q.orderBy('created_at').orderBy('id').execute();
  }
}
