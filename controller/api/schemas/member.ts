// Request bodies of /pools/{pool_id}/members (Octavia's MemberPOST / MemberPUT).
import { Type, type Static } from 'typebox';
import { Nullable, PortNumber, ProjectId, Str255, Tags, Uuid, envelope } from './common.js';

const Weight = Type.Integer({ minimum: 0, maximum: 256 });

const mutable = {
  name: Type.Optional(Nullable(Str255)),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  weight: Type.Optional(Nullable(Weight)),
  backup: Type.Optional(Nullable(Type.Boolean())),
  monitor_port: Type.Optional(Nullable(PortNumber)),
  monitor_address: Type.Optional(Nullable(Type.String())),
  tags: Type.Optional(Nullable(Tags)),
};

export const MemberPost = Type.Object(
  {
    ...mutable,
    address: Type.String(),
    protocol_port: PortNumber,
    subnet_id: Type.Optional(Nullable(Uuid)),
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
  },
  { additionalProperties: false },
);
export type MemberPost = Static<typeof MemberPost>;

export const MemberPut = Type.Object(mutable, { additionalProperties: false });
export type MemberPut = Static<typeof MemberPut>;

export const MemberPostBody = envelope('member', MemberPost);
export const MemberPutBody = envelope('member', MemberPut);

/** PUT /pools/{pool_id}/members: the pool's whole member list (Octavia's MembersRootPUT). */
export const MembersPutBody = Type.Object(
  { members: Type.Array(MemberPost) },
  { additionalProperties: false },
);
