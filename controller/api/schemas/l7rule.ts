// Request bodies of /l7policies/{l7policy_id}/rules (Octavia's L7RulePOST / L7RulePUT)
// and of the rules given inline in an L7 policy create (L7RuleSingleCreate). The
// schema checks JSON types and enums; lengths, patterns and the rules of each type
// are checked in code (../l7-validate.ts) so that errors carry Octavia's words.
// Mandatory attributes may be null: Octavia answers those with its own errors.
import { Type, type Static } from 'typebox';
import { Nullable, ProjectId, Tags, envelope } from './common.js';

export const L7RuleTypes = [
  'HOST_NAME',
  'PATH',
  'FILE_TYPE',
  'HEADER',
  'COOKIE',
  'SSL_CONN_HAS_CERT',
  'SSL_VERIFY_RESULT',
  'SSL_DN_FIELD',
];
export const L7RuleCompareTypes = ['REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO'];

const mutable = {
  type: Type.Optional(Nullable(Type.Enum(L7RuleTypes))),
  compare_type: Type.Optional(Nullable(Type.Enum(L7RuleCompareTypes))),
  key: Type.Optional(Nullable(Type.String())),
  value: Type.Optional(Nullable(Type.String())),
  invert: Type.Optional(Nullable(Type.Boolean())),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  tags: Type.Optional(Nullable(Tags)),
};

const mandatory = {
  type: Nullable(Type.Enum(L7RuleTypes)),
  compare_type: Nullable(Type.Enum(L7RuleCompareTypes)),
  value: Nullable(Type.String()),
};

export const L7RuleSingleCreate = Type.Object({ ...mutable, ...mandatory }, { additionalProperties: false });
export type L7RuleSingleCreate = Static<typeof L7RuleSingleCreate>;

export const L7RulePost = Type.Object(
  {
    ...mutable,
    ...mandatory,
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
  },
  { additionalProperties: false },
);
export type L7RulePost = Static<typeof L7RulePost>;

export const L7RulePut = Type.Object(mutable, { additionalProperties: false });
export type L7RulePut = Static<typeof L7RulePut>;

export const L7RulePostBody = envelope('rule', L7RulePost);
export const L7RulePutBody = envelope('rule', L7RulePut);
