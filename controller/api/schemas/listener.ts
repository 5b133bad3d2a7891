// Request bodies of /listeners (Octavia's ListenerPOST / ListenerPUT), without the
// TLS cipher/version/ALPN knobs of the HTTP-family protocols not served yet.
import { Type, type Static } from 'typebox';
import {
  ListenerProtocols,
  Nullable,
  PortNumber,
  ProjectId,
  Str255,
  Tags,
  Timeout,
  Uuid,
  envelope,
} from './common.js';

const ClientAuthentication = Type.Enum(['NONE', 'OPTIONAL', 'MANDATORY']);

const mutable = {
  name: Type.Optional(Nullable(Str255)),
  description: Type.Optional(Nullable(Str255)),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  connection_limit: Type.Optional(Nullable(Type.Integer({ minimum: -1 }))),
  default_tls_container_ref: Type.Optional(Nullable(Str255)),
  sni_container_refs: Type.Optional(Nullable(Type.Array(Str255))),
  default_pool_id: Type.Optional(Nullable(Uuid)),
  insert_headers: Type.Optional(Nullable(Type.Record(Type.String(), Str255))),
  timeout_client_data: Type.Optional(Nullable(Timeout)),
  timeout_member_connect: Type.Optional(Nullable(Timeout)),
  timeout_member_data: Type.Optional(Nullable(Timeout)),
  timeout_tcp_inspect: Type.Optional(Nullable(Timeout)),
  tags: Type.Optional(Nullable(Tags)),
  client_ca_tls_container_ref: Type.Optional(Nullable(Str255)),
  client_authentication: Type.Optional(Nullable(ClientAuthentication)),
  client_crl_container_ref: Type.Optional(Nullable(Str255)),
  allowed_cidrs: Type.Optional(Nullable(Type.Array(Type.String()))),
};

export const ListenerPost = Type.Object(
  {
    ...mutable,
    protocol: Type.Enum(ListenerProtocols),
    protocol_port: PortNumber,
    loadbalancer_id: Uuid,
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
  },
  { additionalProperties: false },
);
export type ListenerPost = Static<typeof ListenerPost>;

export const ListenerPut = Type.Object(mutable, { additionalProperties: false });
export type ListenerPut = Static<typeof ListenerPut>;

export const ListenerPostBody = envelope('listener', ListenerPost);
export const ListenerPutBody = envelope('listener', ListenerPut);
