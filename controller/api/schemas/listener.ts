// Request bodies of /listeners (Octavia's ListenerPOST / ListenerPUT, API 2.27 with the
// HSTS fields). Container refs are stored as given: the secrets driver (issue 5) will
// resolve them; until then any non-empty string is accepted.
import { Type, type Static } from 'typebox';
import {
  AlpnList,
  ClientAuthModes,
  ContainerRef,
  ListenerProtocols,
  Nullable,
  PortNumber,
  ProjectId,
  Str255,
  Tags,
  Timeout,
  TlsCiphers,
  TlsVersionList,
  Uuid,
  envelope,
} from './common.js';

const ClientAuthentication = Type.Enum(ClientAuthModes);

const mutable = {
  name: Type.Optional(Nullable(Str255)),
  description: Type.Optional(Nullable(Str255)),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  connection_limit: Type.Optional(Nullable(Type.Integer({ minimum: -1 }))),
  default_tls_container_ref: Type.Optional(Nullable(ContainerRef)),
  sni_container_refs: Type.Optional(Nullable(Type.Array(ContainerRef))),
  default_pool_id: Type.Optional(Nullable(Uuid)),
  insert_headers: Type.Optional(Nullable(Type.Record(Type.String(), Str255))),
  timeout_client_data: Type.Optional(Nullable(Timeout)),
  timeout_member_connect: Type.Optional(Nullable(Timeout)),
  timeout_member_data: Type.Optional(Nullable(Timeout)),
  timeout_tcp_inspect: Type.Optional(Nullable(Timeout)),
  tags: Type.Optional(Nullable(Tags)),
  client_ca_tls_container_ref: Type.Optional(Nullable(ContainerRef)),
  client_authentication: Type.Optional(Nullable(ClientAuthentication)),
  client_crl_container_ref: Type.Optional(Nullable(ContainerRef)),
  allowed_cidrs: Type.Optional(Nullable(Type.Array(Type.String()))),
  tls_ciphers: Type.Optional(Nullable(TlsCiphers)),
  tls_versions: Type.Optional(Nullable(TlsVersionList)),
  alpn_protocols: Type.Optional(Nullable(AlpnList)),
  hsts_max_age: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  hsts_include_subdomains: Type.Optional(Nullable(Type.Boolean())),
  hsts_preload: Type.Optional(Nullable(Type.Boolean())),
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
