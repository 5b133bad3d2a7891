// The network driver contract: the catalog of networks and subnets users may
// reference, and IPAM for the ports the controller hands out (VIPs, amphora
// interfaces). The local driver implements it from configuration; a Neutron
// driver would implement it with Neutron calls.
import type { Executor } from '../../db/database.js';
import type { PortTable } from '../../db/schema.js';

export interface AllocationPool {
  start: string;
  end: string;
}

export interface Subnet {
  id: string;
  name: string;
  network_id: string;
  cidr: string;
  gateway_ip: string;
  ip_version: 4 | 6;
  allocation_pools: AllocationPool[];
  project_id: string;
}

export interface Network {
  id: string;
  name: string;
  /** Its IPv4 subnet first, then its IPv6 subnet if it has one. */
  subnets: string[];
  project_id: string;
  /** Linux bridge carrying this network on the local machine. */
  bridge: string;
  /** True for the management network (controller <-> agents), which users may not use. */
  management: boolean;
}

export type Port = PortTable;

export interface AllocatePortRequest {
  subnetId: string;
  name: string;
  deviceOwner: string;
  deviceId: string;
  projectId: string;
  /** A specific address (e.g. a requested vip_address); otherwise the lowest free one. */
  fixedIp?: string;
  /** The port's id, when the VIP takes a port no device holds (vip_port_id); otherwise a new one. */
  portId?: string;
}

export interface PortFilter {
  id?: string;
  name?: string;
  networkId?: string;
  deviceId?: string;
}

export interface NetworkDriver {
  listNetworks(): Network[];
  listSubnets(): Subnet[];
  findNetwork(idOrName: string): Network | undefined;
  findSubnet(idOrName: string): Subnet | undefined;
  /** The subnet whose CIDR contains `ip`, if any. */
  subnetOfAddress(ip: string): Subnet | undefined;
  /** Pass the open transaction (`ex`) when the port belongs to a larger write. */
  allocatePort(req: AllocatePortRequest, ex?: Executor): Promise<Port>;
  releasePorts(deviceId: string, ex?: Executor): Promise<number>;
  getPort(id: string, ex?: Executor): Promise<Port | undefined>;
  listPorts(filter?: PortFilter, ex?: Executor): Promise<Port[]>;
}
