// Request bodies of /flavorprofiles and /availabilityzoneprofiles (Octavia's
// FlavorProfilePOST/PUT, AvailabilityZoneProfilePOST/PUT): the same three
// attributes, the data one named after the kind. PUT accepts null so that the
// handler can answer Octavia's InvalidOption.
import { Type, type TSchema } from 'typebox';
import { Nullable, Str255, envelope } from './common.js';

const Data = Type.String({ maxLength: 4096 });

function bodies<D extends string>(dataName: D) {
  const post = Type.Object(
    { name: Str255, provider_name: Str255, [dataName]: Data } as Record<string, TSchema>,
    { additionalProperties: false },
  );
  const put = Type.Object(
    {
      name: Type.Optional(Nullable(Str255)),
      provider_name: Type.Optional(Nullable(Str255)),
      [dataName]: Type.Optional(Nullable(Data)),
    } as Record<string, TSchema>,
    { additionalProperties: false },
  );
  return { post, put };
}

/** What the handlers read from either kind's body. */
export interface ProfileBody {
  name?: string | null;
  provider_name?: string | null;
  data?: string | null;
}

const flavor = bodies('flavor_data');
const zone = bodies('availability_zone_data');

export const FlavorProfilePostBody = envelope('flavorprofile', flavor.post);
export const FlavorProfilePutBody = envelope('flavorprofile', flavor.put);
export const AvailabilityZoneProfilePostBody = envelope('availability_zone_profile', zone.post);
export const AvailabilityZoneProfilePutBody = envelope('availability_zone_profile', zone.put);
