// Request bodies of /flavors (Octavia's FlavorPOST / FlavorPUT).
import { Type, type Static } from 'typebox';
import { Nullable, Str255, Uuid, envelope } from './common.js';

export const FlavorPost = Type.Object(
  {
    name: Str255,
    description: Type.Optional(Nullable(Str255)),
    enabled: Type.Optional(Type.Boolean()),
    flavor_profile_id: Uuid,
  },
  { additionalProperties: false },
);
export type FlavorPost = Static<typeof FlavorPost>;

export const FlavorPut = Type.Object(
  {
    name: Type.Optional(Str255),
    description: Type.Optional(Nullable(Str255)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type FlavorPut = Static<typeof FlavorPut>;

export const FlavorPostBody = envelope('flavor', FlavorPost);
export const FlavorPutBody = envelope('flavor', FlavorPut);
