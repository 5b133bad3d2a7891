// The local network driver: networks come from configuration (an IPv4 subnet each, and
// optionally an IPv6 one), ids are derived from names so they survive restarts, and
// IPAM is the `port` table (one row per address, unique per subnet). IPv6 is static:
// addresses come from the pool like IPv4 ones (no SLAAC, no router advertisements).
import { randomUUID } from 'node:crypto';
import { VeloxError } from '../../errors.js';
import { stableUuid, type ControllerConfig, type LocalNetworkConfig } from '../../config.js';
import { type Db, type Executor } from '../../db/database.js';
import {
  addressValue,
  canonicalAddress,
  cidrContains,
  cidrText,
  defaultAllocationPool,
  formatAddress,
  parseSubnetCidr,
  type Family,
  type SubnetCidr,
} from './cidr.js';
import { insertPortRow, lowestFreeAddress, portRow } from './port-rows.js';
import type { AllocatePortRequest, Network, NetworkDriver, Port, PortFilter, Subnet } from './types.js';
import { ADVISORY_LOCK, lockUntilCommit } from '../../db/dialect.js';

/** Owner of the local networks, as Neutron shows the admin's shared networks. */
export const NETWORK_OWNER_PROJECT = 'service';

interface Entry {
  network: Network;
  subnet: Subnet;
  cidr: SubnetCidr;
  gateway: bigint;
  pool: { start: bigint; end: bigint };
}

function subnetEntry(
  network: Network,
  family: Family,
  cfg: { subnetName: string; cidr: string; gatewayIp: string },
): Entry {
  let cidr: SubnetCidr;
  try {
    cidr = parseSubnetCidr(cfg.cidr);
  } catch {
    throw new Error(`subnet ${cfg.subnetName}: ${cfg.cidr} is not an IPv${family} CIDR`);
  }
  const gateway = addressValue(cfg.gatewayIp);
  if (cidr.family !== family) throw new Error(`subnet ${cfg.subnetName}: ${cfg.cidr} is not IPv${family}`);
  if (!gateway || !cidrContains(cidr, cfg.gatewayIp)) {
    throw new Error(`subnet ${cfg.subnetName}: gateway ${cfg.gatewayIp} is not inside ${cfg.cidr}`);
  }
  const pool = defaultAllocationPool(cidr);
  const subnet: Subnet = {
    id: stableUuid('subnet', cfg.subnetName),
    name: cfg.subnetName,
    network_id: network.id,
    cidr: cidrText(cidr),
    gateway_ip: formatAddress(family, gateway.value),
    ip_version: family,
    allocation_pools: [{ start: formatAddress(family, pool.start), end: formatAddress(family, pool.end) }],
    project_id: NETWORK_OWNER_PROJECT,
  };
  return { network, subnet, cidr, gateway: gateway.value, pool };
}

/** The network and its subnets' entries: IPv4 first, then IPv6 if configured. */
function entriesOf(cfg: LocalNetworkConfig, management: boolean): Entry[] {
  // Agents and the health service talk IPv4 on the management network.
  if (management && cfg.ipv6) throw new Error(`the management network ${cfg.name} is IPv4 only`);
  const network: Network = {
    id: stableUuid('network', cfg.name),
    name: cfg.name,
    subnets: [],
    project_id: NETWORK_OWNER_PROJECT,
    bridge: cfg.bridge,
    management,
  };
  const entries = [subnetEntry(network, 4, cfg)];
  if (cfg.ipv6) entries.push(subnetEntry(network, 6, cfg.ipv6));
  network.subnets = entries.map((e) => e.subnet.id);
  return entries;
}

export class LocalNetworkDriver implements NetworkDriver {
  private readonly entries: Entry[];

  constructor(
    private readonly db: Db,
    network: ControllerConfig['network'],
  ) {
    this.entries = [
      ...entriesOf(network.management, true),
      ...network.tenant.flatMap((n) => entriesOf(n, false)),
    ];
    const ids = new Set<string>();
    for (const e of this.entries) {
      if (ids.has(e.subnet.id)) throw new Error(`subnet name ${e.subnet.name} is used twice`);
      ids.add(e.subnet.id);
    }
  }

  listNetworks(): Network[] {
    return [...new Set(this.entries.map((e) => e.network))];
  }

  listSubnets(): Subnet[] {
    return this.entries.map((e) => e.subnet);
  }

  findNetwork(idOrName: string): Network | undefined {
    return this.listNetworks().find((n) => n.id === idOrName || n.name === idOrName);
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
    const fixedIp = req.fixedIp === undefined ? undefined : this.checkFixedIp(entry, req.fixedIp);
    // Inside the caller's transaction on PostgreSQL, other controllers' allocations in this
    // subnet wait for its commit (SQLite: the transaction's write lock does the same).
    await lockUntilCommit(ex, ADVISORY_LOCK.addresses, entry.subnet.id);
    // Two tries: a concurrent allocator in another process may take the same address
    // between our read and our insert; the unique index turns that into a retry.
    for (let attempt = 0; ; attempt++) {
      const ip = fixedIp ?? (await this.lowestFree(entry, ex));
      const id = req.portId ?? randomUUID();
      const row = portRow(req, id, entry.network.id, entry.subnet.id, ip);
      if (await insertPortRow(ex, row)) return row;
      if (fixedIp !== undefined || attempt >= 1) {
        throw new VeloxError('IpAddressAlreadyAllocated', { ip, subnet_id: entry.subnet.id });
      }
    }
  }

  /** The requested address in its canonical spelling, if it is in the subnet and not the gateway's. */
  private checkFixedIp(entry: Entry, ip: string): string {
    if (!cidrContains(entry.cidr, ip)) throw new VeloxError('InvalidIPAddress', { ip_addr: ip });
    const canonical = canonicalAddress(ip);
    if (canonical === entry.subnet.gateway_ip) {
      throw new VeloxError('IpAddressAlreadyAllocated', { ip: canonical, subnet_id: entry.subnet.id });
    }
    return canonical;
  }

  private lowestFree(entry: Entry, ex: Executor): Promise<string> {
    return lowestFreeAddress(ex, {
      subnetId: entry.subnet.id,
      networkId: entry.network.id,
      family: entry.cidr.family,
      pool: entry.pool,
      gateway: entry.gateway,
    });
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
