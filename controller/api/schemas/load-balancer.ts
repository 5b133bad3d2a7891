// Request bodies of /loadbalancers (Octavia's LoadBalancerPOST / LoadBalancerPUT), with
// the single-call graph create: listeners (default pool, L7 policies with rules and
// redirect pool) and pools (health monitor, members) nested under the load balancer.
// The nested bodies are the resources' own POST bodies minus the parent references,
// so every field a resource gains is accepted here too.
import { Type, type Static, type TProperties } from 'typebox';
import { Nullable, ProjectId, Str255, Tags, Uuid, envelope } from './common.js';
import { HealthMonitorPost } from './health-monitor.js';
import { L7PolicyPost } from './l7policy.js';
import { ListenerPost } from './listener.js';
import { MemberPost } from './member.js';
import { PoolPost } from './pool.js';

/** A resource's POST properties without the parent and project references the graph fills in. */
function nested<P extends TProperties, K extends keyof P & string>(props: P, drop: K[]): Omit<P, K> {
  const out: Record<string, unknown> = { ...props };
  for (const k of drop) delete out[k];
  return out as Omit<P, K>;
}

const OWNER = ['project_id', 'tenant_id'] as const;

/** Octavia's MemberSingleCreate. */
export const MemberSingleCreate = Type.Object(nested(MemberPost.properties, [...OWNER]), {
  additionalProperties: false,
});

/** Octavia's HealthMonitorSingleCreate. */
export const HealthMonitorSingleCreate = Type.Object(
  nested(HealthMonitorPost.properties, ['pool_id', ...OWNER]),
  { additionalProperties: false },
);

/**
 * Octavia's PoolSingleCreate: protocol and lb_algorithm may be left out, since a pool
 * under a listener or policy can be a reference by name to one of the top-level pools.
 */
export const PoolSingleCreate = Type.Object(
  {
    ...nested(PoolPost.properties, ['listener_id', 'loadbalancer_id', 'protocol', 'lb_algorithm', ...OWNER]),
    protocol: Type.Optional(PoolPost.properties.protocol),
    lb_algorithm: Type.Optional(PoolPost.properties.lb_algorithm),
    healthmonitor: Type.Optional(Nullable(HealthMonitorSingleCreate)),
    members: Type.Optional(Nullable(Type.Array(MemberSingleCreate))),
  },
  { additionalProperties: false },
);
export type PoolSingleCreate = Static<typeof PoolSingleCreate>;

/** Octavia's L7PolicySingleCreate: a redirect pool by name (or defined in place), not by id. */
export const L7PolicySingleCreate = Type.Object(
  {
    ...nested(L7PolicyPost.properties, ['listener_id', 'redirect_pool_id', ...OWNER]),
    redirect_pool: Type.Optional(Nullable(PoolSingleCreate)),
  },
  { additionalProperties: false },
);
export type L7PolicySingleCreate = Static<typeof L7PolicySingleCreate>;

/** Octavia's ListenerSingleCreate. */
export const ListenerSingleCreate = Type.Object(
  {
    ...nested(ListenerPost.properties, ['loadbalancer_id', ...OWNER]),
    default_pool: Type.Optional(Nullable(PoolSingleCreate)),
    l7policies: Type.Optional(Nullable(Type.Array(L7PolicySingleCreate))),
  },
  { additionalProperties: false },
);
export type ListenerSingleCreate = Static<typeof ListenerSingleCreate>;

export const LoadBalancerPost = Type.Object(
  {
    name: Type.Optional(Nullable(Str255)),
    description: Type.Optional(Nullable(Str255)),
    admin_state_up: Type.Optional(Type.Boolean()),
    vip_address: Type.Optional(Nullable(Type.String())),
    vip_port_id: Type.Optional(Nullable(Uuid)),
    vip_subnet_id: Type.Optional(Nullable(Uuid)),
    vip_network_id: Type.Optional(Nullable(Uuid)),
    vip_qos_policy_id: Type.Optional(Nullable(Uuid)),
    additional_vips: Type.Optional(
      Type.Array(
        Type.Object(
          { subnet_id: Uuid, ip_address: Type.Optional(Nullable(Type.String())) },
          { additionalProperties: false },
        ),
      ),
    ),
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
    provider: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    tags: Type.Optional(Nullable(Tags)),
    flavor_id: Type.Optional(Nullable(Uuid)),
    availability_zone: Type.Optional(Nullable(Str255)),
    listeners: Type.Optional(Nullable(Type.Array(ListenerSingleCreate))),
    pools: Type.Optional(Nullable(Type.Array(PoolSingleCreate))),
  },
  { additionalProperties: false },
);
export type LoadBalancerPost = Static<typeof LoadBalancerPost>;

export const LoadBalancerPut = Type.Object(
  {
    name: Type.Optional(Nullable(Str255)),
    description: Type.Optional(Nullable(Str255)),
    vip_qos_policy_id: Type.Optional(Nullable(Uuid)),
    admin_state_up: Type.Optional(Nullable(Type.Boolean())),
    tags: Type.Optional(Nullable(Tags)),
  },
  { additionalProperties: false },
);
export type LoadBalancerPut = Static<typeof LoadBalancerPut>;

export const LoadBalancerPostBody = envelope('loadbalancer', LoadBalancerPost);
export const LoadBalancerPutBody = envelope('loadbalancer', LoadBalancerPut);
