// Request bodies of /loadbalancers (Octavia's LoadBalancerPOST / LoadBalancerPUT).
import { Type, type Static } from 'typebox';
import { Nullable, ProjectId, Str255, Tags, Uuid, envelope } from './common.js';

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
