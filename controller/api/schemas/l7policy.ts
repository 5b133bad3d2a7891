// Request bodies of /l7policies (Octavia's L7PolicyPOST / L7PolicyPUT). The schema
// checks JSON types and enums; URLs and the position range are checked in code
// (../l7-validate.ts) so that errors carry wsme's words. Mandatory attributes may be
// null: Octavia answers those with its own errors.
import { Type, type Static } from 'typebox';
import { Nullable, ProjectId, Str255, Tags, Uuid, envelope } from './common.js';
import { L7RuleSingleCreate } from './l7rule.js';

export const L7PolicyActions = ['REJECT', 'REDIRECT_TO_URL', 'REDIRECT_TO_POOL', 'REDIRECT_PREFIX'];
export const RedirectHttpCodes = [301, 302, 303, 307, 308];

const mutable = {
  name: Type.Optional(Nullable(Str255)),
  description: Type.Optional(Nullable(Str255)),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  action: Type.Optional(Nullable(Type.Enum(L7PolicyActions))),
  redirect_pool_id: Type.Optional(Nullable(Uuid)),
  redirect_url: Type.Optional(Nullable(Type.String())),
  redirect_prefix: Type.Optional(Nullable(Type.String())),
  position: Type.Optional(Nullable(Type.Integer())),
  tags: Type.Optional(Nullable(Tags)),
  redirect_http_code: Type.Optional(Nullable(Type.Enum(RedirectHttpCodes))),
};

export const L7PolicyPost = Type.Object(
  {
    ...mutable,
    action: Nullable(Type.Enum(L7PolicyActions)),
    listener_id: Nullable(Uuid),
    rules: Type.Optional(Nullable(Type.Array(L7RuleSingleCreate))),
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
  },
  { additionalProperties: false },
);
export type L7PolicyPost = Static<typeof L7PolicyPost>;

export const L7PolicyPut = Type.Object(mutable, { additionalProperties: false });
export type L7PolicyPut = Static<typeof L7PolicyPut>;

export const L7PolicyPostBody = envelope('l7policy', L7PolicyPost);
export const L7PolicyPutBody = envelope('l7policy', L7PolicyPut);
