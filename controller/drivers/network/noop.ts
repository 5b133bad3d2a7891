// The no-op network driver (Octavia's network/drivers/noop_driver): any well-formed
// network, subnet or port id is accepted and remembered, nothing is plugged. Networks
// and subnets live in memory (rebuilt from the port table at start, see restore());
// ports are real rows of the port table, as with the local driver, so IPAM stays
// unique per subnet and the API's Neutron slice shows them.
//
// Addresses: every subnet of the driver is a documentation/benchmark range, IPv4
// 198.19.0.0/16 and IPv6 2001:db8::/64, and the management network is 198.18.0.0/16
// (Octavia's no-op driver gives every VIP 198.51.100.1; here VIPs are unique per
// subnet). A requested address (vip_address) is taken as given, whatever its range,
// even when another port has it.
// A subnet first seen by id is IPv4 until the first address asked for on it is IPv6.
import { randomUUID } from 'node:crypto';
import { stableUuid } from '../../config.js';
import { now, type Db, type Executor } from '../../db/database.js';
import { VeloxError } from '../../errors.js';
import { addressValue, cidrText, formatAddress, parseSubnetCidr, type Family } from './cidr.js';
import { NETWORK_OWNER_PROJECT } from './local.js';
import { insertPortRow, lowestFreeAddress, macFor, portRow } from './port-rows.js';
import type { AllocatePortRequest, Network, NetworkDriver, Port, PortFilter, Subnet } from './types.js';
import { ADVISORY_LOCK, lockUntilCommit } from '../../db/dialect.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const NOOP_MANAGEMENT_NETWORK = 'noop-lb-mgmt-net';
export const NOOP_MANAGEMENT_SUBNET = 'noop-lb-mgmt-subnet';

interface Range {
  cidr: string;
  gateway: string;
}
const MANAGEMENT_RANGE: Range = { cidr: '198.18.0.0/16', gateway: '198.18.0.1' };
const TENANT_RANGE: Record<Family, Range> = {
  4: { cidr: '198.19.0.0/16', gateway: '198.19.0.1' },
  6: { cidr: '2001:db8::/64', gateway: '2001:db8::1' },
};

interface Entry {
  subnet: Subnet;
  family: Family;
  gateway: bigint;
  pool: { start: bigint; end: bigint };
}

function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}

/** Addresses after the gateway up to the last below the range's top (IPv4 broadcast). */
function entryOf(id: string, name: string, networkId: string, family: Family, range: Range): Entry {
  const cidr = parseSubnetCidr(range.cidr);
  const gateway = addressValue(range.gateway)!.value;
  const size = 1n << BigInt((family === 4 ? 32 : 128) - cidr.prefix);
  const pool = { start: gateway + 1n, end: cidr.network + size - 2n };
  const subnet: Subnet = {
    id,
    name,
    network_id: networkId,
    cidr: cidrText(cidr),
    gateway_ip: range.gateway,
    ip_version: family,
    allocation_pools: [{ start: formatAddress(family, pool.start), end: formatAddress(family, pool.end) }],
    project_id: NETWORK_OWNER_PROJECT,
  };
  return { subnet, family, gateway, pool };
}

/**
 * The subnet list of a no-op network: asked whether it holds a subnet id it has not
 * seen, it takes the subnet in (Octavia's ItIsInsideMe), unless the subnet is known to
 * be on another network. Derived arrays (map, filter) are plain arrays.
 */
class OpenSubnetList extends Array<string> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  readonly #adopt: (subnetId: string) => boolean;

  constructor(adopt: (subnetId: string) => boolean) {
    super();
    this.#adopt = adopt;
  }

  override includes(subnetId: string, fromIndex?: number): boolean {
    return super.includes(subnetId, fromIndex) || this.#adopt(subnetId);
  }
}

export class NoopNetworkDriver implements NetworkDriver {
  private readonly networks = new Map<string, Network>();
  private readonly subnets = new Map<string, Entry>();
  /**
   * The network looked up last (Octavia's current_network): the API asks for a
   * network, then which of its subnets holds a requested vip_address.
   */
  private current: Network | undefined;

  constructor(private readonly db: Db) {
    const mgmt = this.addNetwork(
      stableUuid('network', NOOP_MANAGEMENT_NETWORK),
      NOOP_MANAGEMENT_NETWORK,
      true,
    );
    const id = stableUuid('subnet', NOOP_MANAGEMENT_SUBNET);
    this.subnets.set(id, entryOf(id, NOOP_MANAGEMENT_SUBNET, mgmt.id, 4, MANAGEMENT_RANGE));
    mgmt.subnets.push(id);
  }

  /** Networks and subnets of the ports already in the database (after a restart). */
  async restore(): Promise<void> {
    const rows = await this.db.selectFrom('port').select(['network_id', 'subnet_id', 'ip_address']).execute();
    for (const r of rows) {
      if (this.subnets.has(r.subnet_id)) continue;
      const network = this.networks.get(r.network_id) ?? this.tenantNetwork(r.network_id);
      this.addSubnet(r.subnet_id, network, addressValue(r.ip_address)?.family ?? 4);
    }
  }

  listNetworks(): Network[] {
    return [...this.networks.values()];
  }

  listSubnets(): Subnet[] {
    return [...this.subnets.values()].map((e) => e.subnet);
  }

  findNetwork(idOrName: string): Network | undefined {
    const known = this.networks.get(idOrName) ?? [...this.networks.values()].find((n) => n.name === idOrName);
    const network = known ?? (isUuid(idOrName) ? this.tenantNetwork(idOrName) : undefined);
    if (network) this.current = network;
    return network;
  }

  findSubnet(idOrName: string): Subnet | undefined {
    const known =
      this.subnets.get(idOrName)?.subnet ??
      [...this.subnets.values()].find((e) => e.subnet.name === idOrName)?.subnet;
    if (known || !isUuid(idOrName)) return known;
    // A subnet seen without its network: it gets a network of its own, derived from it.
    const network =
      this.networks.get(orphanNetworkId(idOrName)) ?? this.addNetwork(orphanNetworkId(idOrName), '', false);
    return this.addSubnet(idOrName, network, 4).subnet;
  }

  subnetOfAddress(ip: string): Subnet | undefined {
    const family = addressValue(ip)?.family;
    if (!family || !this.current) return undefined;
    return this.current.subnets.map((id) => this.subnets.get(id)!).find((e) => e.family === family)?.subnet;
  }

  async allocatePort(req: AllocatePortRequest, ex: Executor = this.db): Promise<Port> {
    if (!this.findSubnet(req.subnetId)) {
      throw new VeloxError('InvalidSubresource', { resource: 'Subnet', id: req.subnetId });
    }
    let entry = this.subnets.get(req.subnetId)!;
    let fixedIp: string | undefined;
    if (req.fixedIp !== undefined) {
      const a = addressValue(req.fixedIp);
      if (!a) throw new VeloxError('InvalidIPAddress', { ip_addr: req.fixedIp });
      if (a.family !== entry.family) entry = await this.retype(entry, a.family, req.fixedIp, ex);
      fixedIp = formatAddress(a.family, a.value);
    }
    // Inside the caller's transaction on PostgreSQL, other controllers' allocations in this
    // subnet wait for its commit (SQLite: the transaction's write lock does the same).
    await lockUntilCommit(ex, ADVISORY_LOCK.addresses, entry.subnet.id);
    // Two tries, as the local driver: a concurrent allocator may take the same address.
    for (let attempt = 0; ; attempt++) {
      const ip = fixedIp ?? (await this.lowestFree(entry, ex));
      const id = req.portId ?? randomUUID();
      const row = portRow(req, id, entry.subnet.network_id, entry.subnet.id, ip);
      if (await insertPortRow(ex, row)) return row;
      // A requested address is never refused (Octavia's no-op does no IPAM, and API test
      // suites give every VIP the same one): the first holder keeps the row, a later
      // one gets a port nobody records (its VIP shows the address, deletes find nothing).
      if (fixedIp !== undefined && req.portId === undefined) return row;
      if (req.portId !== undefined || attempt >= 1) {
        throw new VeloxError('IpAddressAlreadyAllocated', { ip, subnet_id: entry.subnet.id });
      }
    }
  }

  async releasePorts(deviceId: string, ex: Executor = this.db): Promise<number> {
    const r = await ex.deleteFrom('port').where('device_id', '=', deviceId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * A port of the table, or, for any other well-formed id, a port no device holds
   * (Octavia's no-op get_port answers for every id): a VIP may take it (vip_port_id).
   * Its network is derived from its id; the address is chosen when the VIP takes it.
   */
  async getPort(id: string, ex: Executor = this.db): Promise<Port | undefined> {
    const row = await ex.selectFrom('port').selectAll().where('id', '=', id).executeTakeFirst();
    if (row || !isUuid(id)) return row;
    const network = this.findNetwork(stableUuid('noop-port-network', id))!;
    return {
      id,
      project_id: '',
      name: '',
      network_id: network.id,
      subnet_id: network.subnets[0]!,
      ip_address: '',
      mac_address: macFor(id),
      device_owner: '',
      device_id: '',
      created_at: now(),
    };
  }

  async listPorts(filter: PortFilter = {}, ex: Executor = this.db): Promise<Port[]> {
    let q = ex.selectFrom('port').selectAll();
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (filter.networkId !== undefined) q = q.where('network_id', '=', filter.networkId);
    if (filter.deviceId !== undefined) q = q.where('device_id', '=', filter.deviceId);
    return q.orderBy('created_at').orderBy('id').execute();
  }

  private addNetwork(id: string, name: string, management: boolean): Network {
    const network: Network = {
      id,
      name,
      subnets: new OpenSubnetList((subnetId) => this.adopt(network, subnetId)),
      project_id: NETWORK_OWNER_PROJECT,
      bridge: '',
      management,
    };
    this.networks.set(id, network);
    return network;
  }

  /** A tenant network first seen by id, with an IPv4 and an IPv6 subnet of its own. */
  private tenantNetwork(id: string): Network {
    const network = this.addNetwork(id, '', false);
    for (const family of [4, 6] as const)
      this.addSubnet(stableUuid('noop-subnet', `${id}/${family}`), network, family);
    return network;
  }

  private addSubnet(id: string, network: Network, family: Family): Entry {
    const entry = entryOf(id, '', network.id, family, TENANT_RANGE[family]);
    this.subnets.set(id, entry);
    if (!Array.prototype.includes.call(network.subnets, id)) network.subnets.push(id);
    return entry;
  }

  private adopt(network: Network, subnetId: string): boolean {
    if (network.management || !isUuid(subnetId)) return false;
    const known = this.subnets.get(subnetId);
    if (known) return known.subnet.network_id === network.id;
    this.addSubnet(subnetId, network, 4);
    return true;
  }

  /** A subnet with no port yet takes the family of the first address asked for on it. */
  private async retype(entry: Entry, family: Family, ip: string, ex: Executor): Promise<Entry> {
    const used = await ex
      .selectFrom('port')
      .select('id')
      .where('subnet_id', '=', entry.subnet.id)
      .executeTakeFirst();
    if (used || entry.subnet.id === stableUuid('subnet', NOOP_MANAGEMENT_SUBNET)) {
      throw new VeloxError('InvalidIPAddress', { ip_addr: ip });
    }
    const next = entryOf(
      entry.subnet.id,
      entry.subnet.name,
      entry.subnet.network_id,
      family,
      TENANT_RANGE[family],
    );
    this.subnets.set(entry.subnet.id, next);
    return next;
  }

  private lowestFree(entry: Entry, ex: Executor): Promise<string> {
    return lowestFreeAddress(ex, {
      subnetId: entry.subnet.id,
      networkId: entry.subnet.network_id,
      family: entry.family,
      pool: entry.pool,
      gateway: entry.gateway,
    });
  }
}

function orphanNetworkId(subnetId: string): string {
  return stableUuid('noop-network', subnetId);
}
