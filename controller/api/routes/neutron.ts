// The read-only slice of Neutron that clients use to resolve names before talking
// to Octavia (`--vip-subnet-id public-subnet`): networks, subnets and ports of the
// local network driver, with Neutron's envelopes, field names and errors.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../deps.js';
import type { Network, Port, Subnet } from '../../drivers/network/types.js';

type Query = Record<string, string | string[] | undefined>;
type Json = Record<string, unknown>;

const EPOCH = '2024-01-01T00:00:00Z';

export function networkJson(n: Network): Json {
  return {
    id: n.id,
    name: n.name,
    tenant_id: n.project_id,
    project_id: n.project_id,
    description: '',
    status: 'ACTIVE',
    admin_state_up: true,
    shared: !n.management,
    'router:external': false,
    subnets: n.subnets,
    mtu: 1500,
    port_security_enabled: false,
    availability_zones: [],
    availability_zone_hints: [],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    tags: [],
    created_at: EPOCH,
    updated_at: EPOCH,
    revision_number: 1,
  };
}

export function subnetJson(s: Subnet): Json {
  return {
    id: s.id,
    name: s.name,
    network_id: s.network_id,
    tenant_id: s.project_id,
    project_id: s.project_id,
    description: '',
    ip_version: s.ip_version,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    allocation_pools: s.allocation_pools,
    enable_dhcp: false,
    dns_nameservers: [],
    host_routes: [],
    ipv6_address_mode: null,
    ipv6_ra_mode: null,
    subnetpool_id: null,
    service_types: [],
    tags: [],
    created_at: EPOCH,
    updated_at: EPOCH,
    revision_number: 1,
  };
}

export function portJson(p: Port): Json {
  return {
    id: p.id,
    name: p.name,
    network_id: p.network_id,
    tenant_id: p.project_id,
    project_id: p.project_id,
    description: '',
    mac_address: p.mac_address,
    admin_state_up: true,
    status: 'ACTIVE',
    device_id: p.device_id,
    device_owner: p.device_owner,
    fixed_ips: [{ subnet_id: p.subnet_id, ip_address: p.ip_address }],
    allowed_address_pairs: [],
    security_groups: [],
    'binding:vnic_type': 'normal',
    tags: [],
    created_at: p.created_at,
    updated_at: p.created_at,
    revision_number: 1,
  };
}

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Neutron filters: every query key except `fields` is an equality filter (repeats: any of). */
function filterAndProject(items: Json[], query: Query): Json[] {
  const fields = values(query['fields']).flatMap((f) => f.split(','));
  const filters = Object.entries(query).filter(
    ([k]) => !['fields', 'limit', 'marker', 'sort_key', 'sort_dir'].includes(k),
  );
  return items
    .filter((item) => filters.every(([k, v]) => values(v).some((want) => String(item[k]) === want)))
    .map((item) =>
      fields.length ? Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]])) : item,
    );
}

function notFound(reply: FastifyReply, type: string, what: string, id: string): FastifyReply {
  return reply.status(404).send({
    NeutronError: { type: `${type}NotFound`, message: `${what} ${id} could not be found.`, detail: '' },
  });
}

export function neutronRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const base = (req: FastifyRequest) => `${req.protocol}://${req.host}/v2.0/`;

    app.get('/v2.0', async (req) => ({
      resources: ['network', 'subnet', 'port'].map((r) => ({
        name: r,
        collection: `${r}s`,
        links: [{ href: `${base(req)}${r}s`, rel: 'self' }],
      })),
    }));

    app.get('/v2.0/networks', async (req) => ({
      networks: filterAndProject(deps.network.listNetworks().map(networkJson), req.query as Query),
    }));
    app.get('/v2.0/networks/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const n = deps.network.listNetworks().find((x) => x.id === id);
      return n ? { network: networkJson(n) } : notFound(reply, 'Network', 'Network', id);
    });

    app.get('/v2.0/subnets', async (req) => ({
      subnets: filterAndProject(deps.network.listSubnets().map(subnetJson), req.query as Query),
    }));
    app.get('/v2.0/subnets/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const s = deps.network.listSubnets().find((x) => x.id === id);
      return s ? { subnet: subnetJson(s) } : notFound(reply, 'Subnet', 'Subnet', id);
    });

    app.get('/v2.0/ports', async (req) => ({
      ports: filterAndProject((await deps.network.listPorts()).map(portJson), req.query as Query),
    }));
    app.get('/v2.0/ports/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const p = await deps.network.getPort(id);
      return p ? { port: portJson(p) } : notFound(reply, 'Port', 'Port', id);
    });
  };
}
