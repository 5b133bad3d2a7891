// Request bodies of /pools (Octavia's PoolPOST / PoolPUT), without the single-call
// health monitor / members. Container refs are stored as given (resolved from issue 5).
import { Type, type Static } from 'typebox';
import {
  AlpnList,
  ContainerRef,
  LbAlgorithms,
  Nullable,
  PoolProtocols,
  ProjectId,
  SessionPersistenceTypes,
  Str255,
  Tags,
  TlsCiphers,
  TlsVersionList,
  Uuid,
  envelope,
} from './common.js';

const SessionPersistence = Type.Object(
  {
    type: Type.Enum(SessionPersistenceTypes),
    cookie_name: Type.Optional(Nullable(Type.String({ maxLength: 255, pattern: '^[^\\s,;\\\\]+$' }))),
    persistence_timeout: Type.Optional(Nullable(Type.Integer())),
    persistence_granularity: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
);
export type SessionPersistence = Static<typeof SessionPersistence>;

const mutable = {
  name: Type.Optional(Nullable(Str255)),
  description: Type.Optional(Nullable(Str255)),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  lb_algorithm: Type.Optional(Type.Enum(LbAlgorithms)),
  session_persistence: Type.Optional(Nullable(SessionPersistence)),
  tags: Type.Optional(Nullable(Tags)),
  tls_enabled: Type.Optional(Nullable(Type.Boolean())),
  tls_container_ref: Type.Optional(Nullable(ContainerRef)),
  ca_tls_container_ref: Type.Optional(Nullable(ContainerRef)),
  crl_container_ref: Type.Optional(Nullable(ContainerRef)),
  tls_ciphers: Type.Optional(Nullable(TlsCiphers)),
  tls_versions: Type.Optional(Nullable(TlsVersionList)),
  alpn_protocols: Type.Optional(Nullable(AlpnList)),
};

export const PoolPost = Type.Object(
  {
    ...mutable,
    lb_algorithm: Type.Enum(LbAlgorithms),
    protocol: Type.Enum(PoolProtocols),
    listener_id: Type.Optional(Nullable(Uuid)),
    loadbalancer_id: Type.Optional(Nullable(Uuid)),
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
  },
  { additionalProperties: false },
);
export type PoolPost = Static<typeof PoolPost>;

export const PoolPut = Type.Object(mutable, { additionalProperties: false });
export type PoolPut = Static<typeof PoolPut>;

export const PoolPostBody = envelope('pool', PoolPost);
export const PoolPutBody = envelope('pool', PoolPut);
