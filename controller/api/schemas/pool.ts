// Request bodies of /pools (Octavia's PoolPOST / PoolPUT), without the backend TLS
// references and the single-call health monitor / members.
import { Type, type Static } from 'typebox';
import {
  LbAlgorithms,
  Nullable,
  PoolProtocols,
  ProjectId,
  SessionPersistenceTypes,
  Str255,
  Tags,
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
