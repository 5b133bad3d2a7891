// Request bodies of /availabilityzones (Octavia's AvailabilityZonePOST / PUT):
// the name is the key and cannot change.
import { Type, type Static } from 'typebox';
import { Nullable, Str255, Uuid, envelope } from './common.js';

export const AvailabilityZonePost = Type.Object(
  {
    name: Str255,
    description: Type.Optional(Nullable(Str255)),
    enabled: Type.Optional(Type.Boolean()),
    availability_zone_profile_id: Uuid,
  },
  { additionalProperties: false },
);
export type AvailabilityZonePost = Static<typeof AvailabilityZonePost>;

export const AvailabilityZonePut = Type.Object(
  {
    description: Type.Optional(Nullable(Str255)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AvailabilityZonePut = Static<typeof AvailabilityZonePut>;

export const AvailabilityZonePostBody = envelope('availability_zone', AvailabilityZonePost);
export const AvailabilityZonePutBody = envelope('availability_zone', AvailabilityZonePut);
