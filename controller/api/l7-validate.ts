// Octavia's L7 rules (octavia/common/validate.py and api/v2/types/l7*.py), with its
// errors: redirect URLs, the position range, how a policy's action and redirect
// attributes are made consistent (sanitize_l7policy_api_args), and what each rule
// type accepts (l7rule_data). Octavia's quirks are kept, since clients see them.
import { isIPv6 } from 'node:net';
import { VeloxError } from '../errors.js';

export const MAX_POLICY_POSITION = 2147483647;
export const MAX_L7RULES_PER_L7POLICY = 50;
export const DEFAULT_REDIRECT_HTTP_CODE = 302;

function invalid(field: string, value: unknown, reason: string): VeloxError {
  return new VeloxError('InvalidInput', { field, value: String(value), reason });
}

// --- URLs (validate.url with the scheme required, on rfc3986's grammar) ---

const CONTROL_OR_SPACE = /[\x00-\x20\x7f-\x9f]/; // eslint-disable-line no-control-regex
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const UNRESERVED_SUB_DELIMS = "[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2}";
const USERINFO = new RegExp(`^(?:${UNRESERVED_SUB_DELIMS}|:)*$`);
const REG_NAME = new RegExp(`^(?:${UNRESERVED_SUB_DELIMS})*$`);
const IPV4_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The host part of an authority is a reg-name, an IPv4 address or an [IPv6] literal. */
function validHost(host: string): boolean {
  if (host.startsWith('[')) return host.endsWith(']') && isIPv6(host.slice(1, -1));
  if (IPV4_LIKE.test(host)) return host.split('.').every((b) => Number(b) <= 255);
  return REG_NAME.test(host);
}

/** http or https (case as given), a non-empty authority with a valid host; any path. */
export function isRedirectUrl(url: string): boolean {
  if (CONTROL_OR_SPACE.test(url)) return false;
  const m = URI_PARTS.exec(url);
  if (!m || (m[1] !== 'http' && m[1] !== 'https') || !m[2]) return false;
  let authority = m[2];
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    if (!USERINFO.test(authority.slice(0, at))) return false;
    authority = authority.slice(at + 1);
  }
  const port = /:(\d*)$/.exec(authority);
  const host = port && !authority.endsWith(']') ? authority.slice(0, port.index) : authority;
  return validHost(host); // rfc3986 takes an empty host ("http://:80/") as present
}

/** The wsme checks of a policy body that a schema cannot word as Octavia does. */
export function checkPolicyValues(body: {
  redirect_url?: string | null;
  redirect_prefix?: string | null;
  position?: number | null;
}): void {
  for (const field of ['redirect_url', 'redirect_prefix'] as const) {
    const v = body[field];
    if (typeof v === 'string' && !isRedirectUrl(v))
      throw invalid(field, v, 'Value must be a valid URL string');
  }
  const p = body.position;
  if (typeof p === 'number') {
    if (p < 1) throw invalid('position', p, 'Value should be greater or equal to 1');
    if (p > MAX_POLICY_POSITION) {
      throw invalid('position', p, `Value should be lower or equal to ${MAX_POLICY_POSITION}`);
    }
  }
}

// --- Policies (sanitize_l7policy_api_args) ---

/** The policy attributes a request gives (a key present with null means "set to null"). */
export interface PolicyArgs {
  action?: string | null;
  redirect_pool_id?: string | null;
  redirect_url?: string | null;
  redirect_prefix?: string | null;
  redirect_http_code?: number | null;
  [other: string]: unknown;
}

const policyArgs = (msg: string) => new VeloxError('InvalidL7PolicyArgs', { msg });

/**
 * Octavia's sanitize_l7policy_api_args: the action decides which redirect attribute
 * is required and which are cleared; a redirect attribute given implies its action;
 * URL and prefix redirects default to HTTP 302. `create` requires an action.
 */
export function sanitizePolicyArgs(args: PolicyArgs, create: boolean): PolicyArgs {
  const p: PolicyArgs = { ...args };
  if ('action' in p) {
    switch (p.action) {
      case 'REJECT':
        p.redirect_url = null;
        p.redirect_pool_id = null;
        break;
      case 'REDIRECT_TO_URL':
        if (!p.redirect_url) throw policyArgs('redirect_url must not be None');
        p.redirect_pool_id = null;
        break;
      case 'REDIRECT_TO_POOL':
        if (!p.redirect_pool_id) throw policyArgs('redirect_pool_id or redirect_pool must not be None');
        p.redirect_url = null;
        break;
      case 'REDIRECT_PREFIX':
        if (!p.redirect_prefix) throw policyArgs('redirect_prefix must not be None');
        break;
      default:
        throw new VeloxError('InvalidL7PolicyAction', { action: String(p.action ?? 'None') });
    }
  }
  if (p.redirect_pool_id && (p.redirect_url || p.redirect_prefix)) {
    throw policyArgs('Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time');
  }
  if (p.redirect_pool_id) {
    Object.assign(p, {
      action: 'REDIRECT_TO_POOL',
      redirect_url: null,
      redirect_prefix: null,
      redirect_http_code: null,
    });
  }
  if (p.redirect_url) {
    Object.assign(p, { action: 'REDIRECT_TO_URL', redirect_pool_id: null, redirect_prefix: null });
    if (!p.redirect_http_code) p.redirect_http_code = DEFAULT_REDIRECT_HTTP_CODE;
  }
  if (p.redirect_prefix) {
    Object.assign(p, { action: 'REDIRECT_PREFIX', redirect_pool_id: null, redirect_url: null });
    if (!p.redirect_http_code) p.redirect_http_code = DEFAULT_REDIRECT_HTTP_CODE;
  }
  if (create && !('action' in p)) throw new VeloxError('InvalidL7PolicyAction', { action: 'None' });
  if (Object.keys(p).length === 0) throw policyArgs('Invalid update options');
  return p;
}

/** What an update stores besides the given attributes: the others its action excludes. */
export function clearedByAction(action: string | null | undefined): PolicyArgs {
  switch (action) {
    case 'REJECT':
      return { redirect_url: null, redirect_pool_id: null, redirect_prefix: null, redirect_http_code: null };
    case 'REDIRECT_TO_URL':
      return { redirect_pool_id: null, redirect_prefix: null };
    case 'REDIRECT_TO_POOL':
      return { redirect_url: null, redirect_prefix: null, redirect_http_code: null };
    case 'REDIRECT_PREFIX':
      return { redirect_url: null, redirect_pool_id: null };
    default:
      return {};
  }
}

/** Octavia's VALID_LISTENER_POOL_PROTOCOL_MAP: the pools a listener may send traffic to. */
const LISTENER_POOL_PROTOCOLS: Record<string, string[]> = {
  TCP: ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
  HTTPS: ['HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  PROMETHEUS: [],
};

export function checkListenerPoolProtocol(listenerProtocol: string, poolProtocol: string): void {
  if (LISTENER_POOL_PROTOCOLS[listenerProtocol]?.includes(poolProtocol)) return;
  throw new VeloxError('ValidationException', {
    detail: `The pool protocol '${poolProtocol}' is invalid while the listener protocol is '${listenerProtocol}'.`,
  });
}

/** The listener protocols whose traffic L7 policies can steer (the amphora driver's list). */
export const L7_LISTENER_PROTOCOLS = ['HTTP', 'TERMINATED_HTTPS'];

// --- Rules (l7rule_data) ---

export interface RuleData {
  type?: string | null;
  compare_type?: string | null;
  key?: string | null;
  value?: string | null;
}

const NO_CR_LF = '^[^\\r\\n]*$';
const HEADER_NAME = /^[a-zA-Z0-9!#$%&'*+-.^_`|~]+$/;
const COOKIE_VALUE = /^[a-zA-Z0-9!#$%&'()*+-./:<=>?@[\]^_`{|}~]+$/;
const HEADER_VALUE = /^[a-zA-Z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\]+$/;
const QUOTED_HEADER_VALUE = /^"[a-zA-Z0-9 \t!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\]*"$/;
const DN_FIELD = /^([a-zA-Z][A-Za-z0-9-]*)$/;
const CONTROL = /[\x00-\x1f\x7f-\x9f]/; // eslint-disable-line no-control-regex
const MATCHING = ['STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO'];

/** wsme's StringType(max_length=255, pattern=^[^\r\n]*$) on key and value; Python's $ allows one final \n. */
export function checkRuleStrings(body: RuleData, withPattern: boolean): void {
  for (const field of ['key', 'value'] as const) {
    const v = body[field];
    if (typeof v !== 'string') continue;
    if (v.length > 255) throw invalid(field, v, 'Value should have a maximum character requirement of 255');
    if (withPattern && /[\r\n]/.test(v.endsWith('\n') ? v.slice(0, -1) : v)) {
      throw invalid(field, v, `Value should match the pattern ${NO_CR_LF}`);
    }
  }
}

class RuleError extends Error {}

const rule = (msg: string) => new RuleError(`Invalid L7 Rule: ${msg}`);

function checkString(pattern: RegExp, value: string, what: string, alt?: RegExp): void {
  if (!pattern.test(value) && !alt?.test(value)) throw new RuleError(`Invalid characters in ${what}`);
}

/** Python's re.compile, approximated: named groups and leading inline flags as Python writes them. */
function checkRegex(value: string): void {
  if (CONTROL.test(value))
    throw new RuleError('Unable to parse regular expression: contains control characters');
  let source = value.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    flags = [...new Set(inline[1]!.replace(/[aLux]/g, ''))].join('');
    source = source.slice(inline[0].length);
  }
  try {
    new RegExp(source, flags);
  } catch (e) {
    // JavaScript's words for the fault, without its "Invalid regular expression: /source/:".
    const msg = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new RuleError(`Unable to parse regular expression: ${msg}`);
  }
}

function checkSslRule(r: RuleData): void {
  const { type, key, value, compare_type: compare } = r;
  const onlyEqual = `L7rule type ${type} only supports the EQUAL_TO compare type.`;
  const noKey = `L7rule type ${type} does not use the "key" field.`;
  let msg: string | undefined;
  if (type === 'SSL_CONN_HAS_CERT') {
    if (key) msg = noKey;
    else if (value!.toLowerCase() !== 'true') msg = `L7rule value ${value} is not a boolean True string.`;
    else if (compare !== 'EQUAL_TO') msg = onlyEqual;
  } else if (type === 'SSL_VERIFY_RESULT') {
    if (key) msg = noKey;
    else if (!/^[0-9]+$/.test(value!)) msg = `L7rule type ${type} needs a int value, which is >= 0`;
    else if (compare !== 'EQUAL_TO') msg = onlyEqual;
  } else {
    if (compare === 'REGEX') checkRegex(value!);
    if (!key || !value) msg = `L7rule type ${type} needs to specify a key and a value.`;
    else if (!DN_FIELD.test(key)) msg = 'Invalid L7rule distinguished name field.';
  }
  if (msg) throw rule(msg);
}

function checkRuleData(r: RuleData): void {
  const { type, compare_type: compare, key } = r;
  if (!r.value) throw rule('L7 rule type requires a value');
  const value = r.value;
  const badCompare = () => rule('invalid comparison type for rule type');
  switch (type) {
    case 'HEADER':
    case 'COOKIE':
      if (!key) throw rule('L7 rule type requires a key');
      checkString(HEADER_NAME, key, 'key');
      if (compare === 'REGEX') checkRegex(value);
      else if (!MATCHING.includes(compare ?? '')) throw badCompare();
      else if (type === 'HEADER') checkString(HEADER_VALUE, value, 'header value', QUOTED_HEADER_VALUE);
      else checkString(COOKIE_VALUE, value, 'cookie value');
      return;
    case 'HOST_NAME':
    case 'PATH':
      if (compare === 'REGEX') checkRegex(value);
      else if (MATCHING.includes(compare ?? ''))
        checkString(HEADER_VALUE, value, 'comparison value', QUOTED_HEADER_VALUE);
      else throw badCompare();
      return;
    case 'FILE_TYPE':
      if (compare === 'REGEX') checkRegex(value);
      else if (compare === 'EQUAL_TO')
        checkString(HEADER_VALUE, value, 'comparison value', QUOTED_HEADER_VALUE);
      else throw badCompare();
      return;
    case 'SSL_CONN_HAS_CERT':
    case 'SSL_VERIFY_RESULT':
    case 'SSL_DN_FIELD':
      checkSslRule(r);
      return;
    default:
      throw rule('invalid rule type');
  }
}

/** Octavia's l7rule_data, its refusal as L7RuleValidation ("Error parsing L7Rule: ..."). */
export function checkRule(r: RuleData): void {
  try {
    checkRuleData(r);
  } catch (e) {
    if (e instanceof RuleError) throw new VeloxError('L7RuleValidation', { error: e.message });
    throw e;
  }
}
