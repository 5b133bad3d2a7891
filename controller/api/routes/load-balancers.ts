// /v2/lbaas/loadbalancers: create (VIP port + row + any listeners and pools given
// with it (../lb-graph.ts) + create_lb job in one transaction), list, show, update and
// delete (cascade) behind the status gate, and failover (admin only; the worker
// rebuilds the amphora).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { enqueueJob, changeUnderGate } from '../../db/status-gate.js';
import { startLoadBalancerFailover } from '../../db/amphora-ops-repo.js';
import { markL7Deleting } from '../../db/l7-repo.js';
import {
  getLoadBalancer,
  hasChildren,
  insertLoadBalancer,
  listLoadBalancers,
  loadBalancerChildren,
  markChildrenDeleting,
  updateLoadBalancer,
  type LoadBalancerRow,
} from '../../db/load-balancer-repo.js';
import { checkQuota } from '../../db/quota-repo.js';
import type { Subnet } from '../../drivers/network/types.js';
import { authorizeAdmin, authorizeWrite, projectForCreate, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import {
  LoadBalancerPostBody,
  LoadBalancerPutBody,
  type LoadBalancerPost,
} from '../schemas/load-balancer.js';
import { createLoadBalancerGraph, graphTlsRefs } from '../lb-graph.js';
import { TlsRefs } from '../tls-refs.js';
import { renderFullLoadBalancer } from '../lb-graph-view.js';
import { checkVipNetworkAllowed } from '../availability-zone-capabilities.js';
import { resolvePlacement } from '../lb-placement.js';
import { checkIpAddress } from '../validate.js';
import { loadBalancerFields, loadBalancerView, type LoadBalancerView } from '../views/load-balancer.js';
import { commonChanges, found, idParam, newRowColumns, readRoutes, type Query } from './resource.js';

async function findLoadBalancer(deps: ApiDeps, id: string): Promise<LoadBalancerRow> {
  return found(await getLoadBalancer(deps.db, id), 'Load Balancer', id);
}

async function renderLoadBalancers(deps: ApiDeps, rows: LoadBalancerRow[]): Promise<LoadBalancerView[]> {
  const children = await loadBalancerChildren(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => loadBalancerView(r, children.get(r.id)!));
}

export async function renderLoadBalancer(deps: ApiDeps, row: LoadBalancerRow): Promise<LoadBalancerView> {
  return (await renderLoadBalancers(deps, [row]))[0]!;
}

/** Octavia's VIP rules: a port, a network (and maybe subnet/address), or a subnet. */
async function resolveVipSubnet(deps: ApiDeps, request: LoadBalancerPost): Promise<Subnet> {
  let lb = request;
  if (!lb.vip_port_id && !lb.vip_network_id && !lb.vip_subnet_id) {
    throw new VeloxError('VIPValidationException', { objects: 'vip_port_id, vip_network_id, vip_subnet_id' });
  }
  if (lb.vip_address) checkIpAddress('vip_address', lb.vip_address);
  if (lb.vip_port_id) {
    const port = await deps.network.getPort(lb.vip_port_id);
    if (!port) throw new VeloxError('InvalidSubresource', { resource: 'Port', id: lb.vip_port_id });
    // Every port of the local driver belongs to a device already. A port of none (the
    // no-op network driver's) is taken by the VIP, on its network (create passes portId).
    if (port.device_id) {
      throw new VeloxError('ValidationException', {
        detail: `Port ${lb.vip_port_id} already has a compute device attached.`,
      });
    }
    lb = { ...lb, vip_network_id: port.network_id, vip_subnet_id: lb.vip_subnet_id ?? port.subnet_id };
  }
  let subnet: Subnet | undefined;
  if (lb.vip_network_id) {
    const network = deps.network.findNetwork(lb.vip_network_id);
    if (!network || network.id !== lb.vip_network_id) {
      throw new VeloxError('InvalidSubresource', { resource: 'Network', id: lb.vip_network_id });
    }
    if (lb.vip_subnet_id && !network.subnets.includes(lb.vip_subnet_id)) {
      throw new VeloxError('InvalidSubresource', { resource: 'Subnet', id: lb.vip_subnet_id });
    }
    const candidates = network.subnets.map((s) => deps.network.findSubnet(s)!);
    subnet = lb.vip_subnet_id
      ? deps.network.findSubnet(lb.vip_subnet_id)
      : lb.vip_address
        ? candidates.find((s) => deps.network.subnetOfAddress(lb.vip_address!)?.id === s.id)
        : candidates[0];
    if (!subnet) {
      throw new VeloxError('ValidationException', {
        detail: 'Supplied network does not contain a subnet for VIP address specified.',
      });
    }
  } else {
    subnet = deps.network.findSubnet(lb.vip_subnet_id!);
    if (!subnet || subnet.id !== lb.vip_subnet_id) {
      throw new VeloxError('InvalidSubresource', { resource: 'Subnet', id: lb.vip_subnet_id! });
    }
  }
  if (deps.network.findNetwork(subnet.network_id)?.management) {
    throw new VeloxError('ValidationException', {
      detail: `Subnet ${subnet.id} is the load balancer management network.`,
    });
  }
  return subnet;
}

function checkUnsupportedOptions(lb: LoadBalancerPost): void {
  if (lb.vip_qos_policy_id) {
    throw new VeloxError('ValidationException', {
      detail: 'VIP QoS policy is not allowed in this deployment.',
    });
  }
  if (lb.additional_vips?.length) {
    throw new VeloxError('DisabledOption', {
      option: 'additional_vips',
      value: JSON.stringify(lb.additional_vips),
    });
  }
}

export function loadBalancerRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    readRoutes(app, {
      plural: 'loadbalancers',
      singular: 'loadbalancer',
      fields: loadBalancerFields,
      list: (spec, scope) => listLoadBalancers(deps.db, spec, scope),
      find: (id) => findLoadBalancer(deps, id),
      render: (rows) => renderLoadBalancers(deps, rows),
    });

    app.post('/loadbalancers', { schema: { body: LoadBalancerPostBody } }, async (req, reply) => {
      const body = req.body.loadbalancer;
      const ctx = requestContext(req);
      const projectId = projectForCreate(ctx, body.project_id ?? body.tenant_id);
      checkUnsupportedOptions(body);
      const placement = await resolvePlacement(deps, body);
      const subnet = await resolveVipSubnet(deps, body);
      checkVipNetworkAllowed(deps.network, placement.zoneData, subnet.network_id);
      // Before the transaction: the secrets store may read the same database.
      const refs = await TlsRefs.fetch(deps.secrets, { projectId }, graphTlsRefs(body));
      const id = randomUUID();
      const row = await deps.db.transaction().execute(async (trx) => {
        // First: it takes the write lock before counting (see checkQuota).
        await checkQuota(trx, projectId, 'load_balancer', deps.config.quotas);
        const port = await deps.network.allocatePort(
          {
            subnetId: subnet.id,
            name: `octavia-lb-${id}`,
            deviceOwner: 'Octavia',
            deviceId: id,
            projectId,
            ...(body.vip_address ? { fixedIp: body.vip_address } : {}),
            ...(body.vip_port_id ? { portId: body.vip_port_id } : {}),
          },
          trx,
        );
        const lb: LoadBalancerRow = {
          id,
          ...newRowColumns(projectId, body),
          vip_address: port.ip_address,
          vip_port_id: port.id,
          vip_subnet_id: subnet.id,
          vip_network_id: subnet.network_id,
          provider: placement.provider,
          topology: placement.topology,
          flavor_id: placement.flavorId,
          availability_zone: placement.availabilityZone,
        };
        await insertLoadBalancer(trx, lb);
        // Listeners and pools given with it: same transaction, same create_lb job.
        const graph = await createLoadBalancerGraph(trx, deps, lb, body, refs);
        await enqueueJob(trx, 'create_lb', id);
        return { lb, graph };
      });
      // Octavia answers a create with the full graph (LoadBalancerFullRootResponse).
      return reply.status(201).send({ loadbalancer: await renderFullLoadBalancer(deps, row.lb, row.graph) });
    });

    app.put('/loadbalancers/:id', { schema: { body: LoadBalancerPutBody } }, async (req) => {
      const id = idParam(req);
      const body = req.body.loadbalancer;
      const lb = await findLoadBalancer(deps, id);
      authorizeWrite(requestContext(req), lb.project_id);
      if (body.vip_qos_policy_id !== undefined) {
        throw new VeloxError('ValidationException', {
          detail: 'VIP QoS policy is not allowed in this deployment.',
        });
      }
      await changeUnderGate(
        deps.db,
        { loadBalancerId: id, lbStatus: 'PENDING_UPDATE', refusal: 'loadbalancer', job: 'sync_lb' },
        async (trx) => {
          await updateLoadBalancer(trx, id, {
            ...commonChanges(body),
            // Unlike its children, a load balancer given admin_state_up null is disabled.
            ...(body.admin_state_up === null ? { enabled: 0 } : {}),
          });
        },
      );
      return { loadbalancer: await renderLoadBalancer(deps, await findLoadBalancer(deps, id)) };
    });

    app.delete('/loadbalancers/:id', async (req, reply) => {
      const id = idParam(req);
      const cascadeRaw = (req.query as Query)['cascade'];
      const cascade = ['true', '1', 'yes', 'on', 'y', 't'].includes(String(cascadeRaw ?? '').toLowerCase());
      const lb = await findLoadBalancer(deps, id);
      authorizeWrite(requestContext(req), lb.project_id);
      if (!cascade && (await hasChildren(deps.db, id))) {
        throw new VeloxError('ValidationException', {
          detail: `Cannot delete Load Balancer ${id} - it has children`,
        });
      }
      await changeUnderGate(
        deps.db,
        { loadBalancerId: id, lbStatus: 'PENDING_DELETE', refusal: 'loadbalancer', job: 'delete_lb' },
        async (trx) => {
          // Re-checked under the lock: a child may have been added since.
          if (!cascade && (await hasChildren(trx, id))) {
            throw new VeloxError('ValidationException', {
              detail: `Cannot delete Load Balancer ${id} - it has children`,
            });
          }
          if (cascade) {
            await markChildrenDeleting(trx, id);
            await markL7Deleting(trx, { loadBalancerId: id });
          }
        },
      );
      return reply.status(204).send();
    });

    app.put('/loadbalancers/:id/failover', async (req, reply) => {
      const lb = await findLoadBalancer(deps, idParam(req));
      authorizeAdmin(requestContext(req));
      await startLoadBalancerFailover(deps.db, lb.id);
      return reply.status(202).send();
    });
  };
}
