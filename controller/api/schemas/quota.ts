// Request body of PUT /quotas/{project_id} (Octavia's QuotaPUT): any of the limits,
// -1 for unlimited, null for the configured default; loadbalancer and healthmonitor
// are the deprecated spellings Octavia still accepts.
import { Type, type Static } from 'typebox';
import { Nullable, envelope } from './common.js';

/** Octavia's MIN_QUOTA (QUOTA_UNLIMITED) .. MAX_QUOTA. */
const Limit = Type.Optional(Nullable(Type.Integer({ minimum: -1, maximum: 2_000_000_000 })));

export const QuotaPut = Type.Object(
  {
    load_balancer: Limit,
    loadbalancer: Limit,
    listener: Limit,
    pool: Limit,
    health_monitor: Limit,
    healthmonitor: Limit,
    member: Limit,
    l7policy: Limit,
    l7rule: Limit,
  },
  { additionalProperties: false },
);
export type QuotaPut = Static<typeof QuotaPut>;

export const QuotaPutBody = envelope('quota', QuotaPut);
