// The one error catalogue of the controller: every error a client can see, with
// Octavia's message (octavia/common/exceptions.py) and HTTP status, and the one
// renderer producing Octavia's body {"faultcode","faultstring","debuginfo"}.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

interface CatalogueEntry {
  status: number;
  /** `%(name)s` placeholders, as in Octavia, filled from the error's params. */
  template: string;
}

export const catalogue = {
  NotFound: { status: 404, template: '%(resource)s %(id)s not found.' },
  PolicyForbidden: { status: 403, template: 'Policy does not allow this request to be performed.' },
  InvalidOption: { status: 400, template: '%(value)s is not a valid option for %(option)s' },
  InvalidFilterArgument: { status: 400, template: 'One or more arguments are either duplicate or invalid' },
  DisabledOption: {
    status: 400,
    template: 'The selected %(option)s is not allowed in this deployment: %(value)s',
  },
  DuplicateListenerEntry: {
    status: 409,
    template:
      'Another Listener on this Load Balancer is already using protocol %(protocol)s and protocol_port %(port)s',
  },
  DuplicateMemberEntry: {
    status: 409,
    template: 'Another member on this pool is already using ip %(ip_address)s on protocol_port %(port)s',
  },
  DuplicatePoolEntry: { status: 409, template: 'This listener already has a default pool' },
  ImmutableObject: { status: 409, template: '%(resource)s %(id)s is immutable and cannot be updated.' },
  LBPendingStateError: { status: 409, template: 'Invalid state %(state)s of loadbalancer resource %(id)s' },
  IDAlreadyExists: { status: 409, template: 'Already an entity with that specified id.' },
  ObjectInUse: { status: 409, template: '%(object)s %(id)s is in use and cannot be modified.' },
  InvalidSubresource: { status: 400, template: '%(resource)s %(id)s not found.' },
  ValidationException: { status: 400, template: 'Validation failure: %(detail)s' },
  VIPValidationException: {
    status: 400,
    template: 'Validation failure: VIP must contain one of: %(objects)s.',
  },
  InvalidSortKey: { status: 400, template: "Supplied sort key '%(key)s' is not valid." },
  InvalidSortDirection: { status: 400, template: "Supplied sort direction '%(key)s' is not valid." },
  InvalidMarker: { status: 400, template: "Supplied pagination marker '%(key)s' is not valid." },
  InvalidLimit: { status: 400, template: "Supplied pagination limit '%(key)s' is not valid." },
  ProviderNotEnabled: { status: 400, template: "Provider '%(prov)s' is not enabled." },
  InvalidIPAddress: { status: 400, template: 'The IP Address %(ip_addr)s is invalid.' },
  /** Request body or query rejected by schema validation (wsme's wording). */
  InvalidInput: {
    status: 400,
    template: "Invalid input for field/attribute %(field)s. Value: '%(value)s'. %(reason)s",
  },
  UnknownAttribute: { status: 400, template: 'Unknown attribute for argument %(argument)s: %(name)s' },
  MalformedBody: { status: 400, template: 'Malformed request body: %(detail)s' },
  /** webob's HTTPRequestEntityTooLarge, with the limit. */
  BodyTooLarge: { status: 413, template: 'Request body is larger than the limit of %(limit)s bytes.' },
  /** Neutron-style IPAM errors of the local network driver. */
  IpAddressAlreadyAllocated: {
    status: 409,
    template: 'IP address %(ip)s already allocated in subnet %(subnet_id)s',
  },
  IpAddressGenerationFailure: {
    status: 409,
    template: 'No more IP addresses available on network %(net_id)s.',
  },
  RouteNotFound: { status: 404, template: 'The resource could not be found.' },
  MethodNotAllowed: { status: 405, template: 'The method %(method)s is not allowed for this resource.' },
  InternalError: { status: 500, template: 'Something unknown went wrong' },
  /** Health monitors (H10). */
  DuplicateHealthMonitor: { status: 409, template: 'This pool already has a health monitor' },
  /** Flavors, availability zones and their profiles (H13). */
  RecordAlreadyExists: { status: 409, template: 'A %(field)s of %(name)s already exists.' },
  ProviderUnsupportedOptionError: {
    status: 501,
    template: "Provider '%(prov)s' does not support a requested option: %(user_msg)s",
  },
  ProviderFlavorMismatchError: {
    status: 400,
    template: "Flavor '%(flav)s' is not compatible with provider '%(prov)s'",
  },
  /** Quotas (H12). */
  QuotaException: { status: 403, template: 'Quota has been met for resources: %(resource)s' },
  /** L7 policies and rules. */
  InvalidL7PolicyAction: { status: 400, template: 'Invalid L7 Policy action specified: %(action)s' },
  InvalidL7PolicyArgs: { status: 400, template: 'Invalid L7 Policy arguments: %(msg)s' },
  /** `error` is the inner InvalidL7Rule / InvalidString / InvalidRegex message. */
  L7RuleValidation: { status: 400, template: 'Error parsing L7Rule: %(error)s' },
  TooManyL7RulesOnL7Policy: { status: 409, template: 'Too many rules on L7 policy %(id)s' },
  PoolInUseByL7Policy: { status: 409, template: 'Pool %(id)s is in use by L7 policy %(l7policy_id)s' },
  ListenerNoChildren: { status: 400, template: 'Protocol %(protocol)s listeners cannot have child objects.' },
  /** Listener and pool TLS references (`ref` is the Python list of the refs that failed). */
  CertificateRetrievalException: { status: 400, template: 'Could not retrieve certificate: %(ref)s' },
  /** auth_strategy = keystone: Keystone could not say whether a token is valid (keystonemiddleware's words). */
  KeystoneUnavailable: { status: 503, template: 'The Keystone service is temporarily unavailable.' },
  /** The local secrets store (/v2/velox/secrets); NeedsPassphrase and MisMatchedKey in Octavia's words. */
  InvalidSecret: { status: 400, template: 'Invalid secret: %(field)s %(detail)s' },
  NeedsPassphrase: {
    status: 400,
    template: 'Passphrase needed to decrypt key but client did not provide one.',
  },
  MisMatchedKey: { status: 400, template: 'Key and x509 certificate do not match' },
  SecretInUse: {
    status: 409,
    template: 'Secret %(id)s is in use by %(resource)s %(user_id)s and cannot be deleted.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;
export type ErrorParams = Record<string, string | number>;

function fill(template: string, params: ErrorParams): string {
  return template.replace(/%\((\w+)\)s/g, (_m, k: string) => String(params[k] ?? ''));
}

/** An error the client is meant to see. Throw it anywhere in the controller. */
export class VeloxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}) {
    super(fill(catalogue[code].template, params));
    this.name = 'VeloxError';
    this.code = code;
    this.status = catalogue[code].status;
    this.params = params;
  }
}

export interface FaultBody {
  faultcode: 'Client' | 'Server';
  faultstring: string;
  debuginfo: null;
}

export function faultBody(status: number, message: string): FaultBody {
  return { faultcode: status < 500 ? 'Client' : 'Server', faultstring: message, debuginfo: null };
}

interface AjvLikeError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The refused value as the message shows it; never throws (a cyclic or deep value is elided). */
function show(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return '...';
  }
}

/** Turn the first schema-validation failure into a catalogue error, in wsme's words. */
export function validationError(errors: AjvLikeError[], input: unknown, part: string): VeloxError {
  const e = errors[0];
  if (!e) return new VeloxError('MalformedBody', { detail: part });
  const segments = e.instancePath.split('/').filter(Boolean);
  const field = segments[segments.length - 1] ?? part;
  if (e.keyword === 'additionalProperties') {
    return new VeloxError('UnknownAttribute', {
      argument: field,
      name: String(e.params['additionalProperty']),
    });
  }
  if (e.keyword === 'required') {
    return new VeloxError('InvalidInput', {
      field: String(e.params['missingProperty']),
      value: 'None',
      reason: 'Mandatory field missing.',
    });
  }
  const reason =
    e.keyword === 'enum'
      ? `Value should be one of: ${(e.params['allowedValues'] as unknown[]).join(', ')}`
      : e.keyword === 'format' && e.params['format'] === 'uuid'
        ? 'Value should be UUID format' // wsme's UuidType
        : `Value ${e.message ?? 'is invalid'}`;
  return new VeloxError('InvalidInput', { field, value: show(valueAt(input, e.instancePath)), reason });
}

interface Logger {
  error(obj: unknown, msg?: string): void;
}

/** fastify's error handler: every error leaves as Octavia's fault body. */
export function renderError(
  err: FastifyError | VeloxError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
  log?: Logger,
): FastifyReply {
  if (err instanceof VeloxError) {
    return reply.status(err.status).send(faultBody(err.status, err.message));
  }
  const fe = err as FastifyError & { validation?: AjvLikeError[]; validationContext?: string };
  if (fe.validation) {
    const part = fe.validationContext ?? 'body';
    const input = part === 'body' ? request.body : part === 'querystring' ? request.query : request.params;
    const ve = validationError(fe.validation, input, part);
    return reply.status(ve.status).send(faultBody(ve.status, ve.message));
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // fastify's own client errors (bad JSON, wrong content type, body too large).
    return reply.status(fe.statusCode).send(faultBody(fe.statusCode, fe.message));
  }
  (log ?? request.log).error({ err }, 'unhandled error');
  const ie = new VeloxError('InternalError');
  return reply.status(500).send(faultBody(500, ie.message));
}
