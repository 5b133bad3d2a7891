// Request bodies of /healthmonitors (Octavia's HealthMonitorPOST / HealthMonitorPUT).
// The schema checks JSON types and enums; ranges and formats are checked in code
// (../health-monitor-rules.ts) so that errors carry wsme's words. Mandatory
// attributes may be null here: Octavia answers those with its own errors.
import { Type, type Static } from 'typebox';
import { Nullable, ProjectId, Str255, Tags, Uuid, envelope } from './common.js';

export const HealthMonitorTypes = ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'];
export const HttpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'CONNECT', 'PATCH'];

const mutable = {
  name: Type.Optional(Nullable(Str255)),
  delay: Type.Optional(Nullable(Type.Integer())),
  timeout: Type.Optional(Nullable(Type.Integer())),
  max_retries: Type.Optional(Nullable(Type.Integer())),
  max_retries_down: Type.Optional(Nullable(Type.Integer())),
  http_method: Type.Optional(Nullable(Type.Enum(HttpMethods))),
  url_path: Type.Optional(Nullable(Type.String())),
  expected_codes: Type.Optional(Nullable(Type.String())),
  admin_state_up: Type.Optional(Nullable(Type.Boolean())),
  tags: Type.Optional(Nullable(Tags)),
  http_version: Type.Optional(Nullable(Type.Number())),
  domain_name: Type.Optional(Nullable(Type.String())),
};

export const HealthMonitorPost = Type.Object(
  {
    ...mutable,
    type: Nullable(Type.Enum(HealthMonitorTypes)),
    delay: Nullable(Type.Integer()),
    timeout: Nullable(Type.Integer()),
    max_retries: Nullable(Type.Integer()),
    pool_id: Nullable(Uuid),
    project_id: Type.Optional(Nullable(ProjectId)),
    tenant_id: Type.Optional(Nullable(ProjectId)),
  },
  { additionalProperties: false },
);
export type HealthMonitorPost = Static<typeof HealthMonitorPost>;

export const HealthMonitorPut = Type.Object(mutable, { additionalProperties: false });
export type HealthMonitorPut = Static<typeof HealthMonitorPut>;

export const HealthMonitorPostBody = envelope('healthmonitor', HealthMonitorPost);
export const HealthMonitorPutBody = envelope('healthmonitor', HealthMonitorPut);
