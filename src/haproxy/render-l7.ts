// A listener's L7 policies as frontend lines, with Octavia's semantics
// (octavia/common/jinja/haproxy/combined_listeners/templates/macros.j2):
// - only admin-up policies, and in them only admin-up rules; a policy left without rules
//   is not rendered (it would match everything);
// - one `acl` per rule, named `rule-<rule id>`; a policy's rules are ANDed on its action line;
// - HAProxy runs `http-request deny` before `redirect` before `use_backend` whatever their
//   order in the file, which is Octavia's documented precedence (REJECT, then the
//   redirects, then REDIRECT_TO_POOL), so lines are written in that order, each kind by
//   position; HAProxy then raises no "will still be processed before" warning;
// - REDIRECT_TO_POOL to a pool that is admin down is not rendered (requests fall through).
import type { L7Policy__Output } from '../grpc/gen/velox/agent/v1/L7Policy.js';
import type { L7Rule__Output } from '../grpc/gen/velox/agent/v1/L7Rule.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
import { HaproxyConfigError } from './errors.js';
import {
  cookieNameToken,
  dnFieldToken,
  headerNameToken,
  nameToken,
  quotedToken,
  urlToken,
} from './tokens.js';

const MATCH: Record<string, string> = {
  REGEX: '-m reg',
  STARTS_WITH: '-m beg',
  ENDS_WITH: '-m end',
  CONTAINS: '-m sub',
  EQUAL_TO: '-m str',
};
const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** A policy and its place in the config, for error paths. */
export interface PolicyRef {
  policy: L7Policy__Output;
  path: string; // listeners[i].l7policies[j]
}

/** Policies in position order; equal positions keep their order in the config. */
export function policiesByPosition(policies: L7Policy__Output[], listenerPath: string): PolicyRef[] {
  return policies
    .map((policy, j) => ({ policy, path: `${listenerPath}.l7policies[${j}]` }))
    .sort((a, b) => a.policy.position - b.policy.position);
}

function matchFlag(rule: L7Rule__Output, path: string): string {
  const flag = MATCH[rule.compare_type];
  if (!flag) {
    throw new HaproxyConfigError(
      `${JSON.stringify(rule.compare_type)} is not an L7 rule compare_type`,
      `${path}.compare_type`,
    );
  }
  return flag;
}

/** `<flag> [--] '<value>'`: `--` ends the flags, so a value starting with '-' is a pattern. */
function pattern(rule: L7Rule__Output, path: string): string {
  const value = quotedToken(rule.value, `${path}.value`, 'a non-empty value without control characters');
  return `${matchFlag(rule, path)}${rule.value.startsWith('-') ? ' --' : ''} ${value}`;
}

/** The ACL criterion of one rule (what follows `acl <name>`). */
function criterion(rule: L7Rule__Output, path: string): string {
  switch (rule.type) {
    case 'HOST_NAME':
      return `req.hdr(host) -i ${pattern(rule, path)}`;
    case 'PATH':
      return `path ${pattern(rule, path)}`;
    case 'FILE_TYPE':
      return `path_end ${pattern(rule, path)}`;
    case 'HEADER':
      return `req.hdr(${headerNameToken(rule.key, `${path}.key`)}) ${pattern(rule, path)}`;
    case 'COOKIE':
      return `req.cook(${cookieNameToken(rule.key, `${path}.key`)}) ${pattern(rule, path)}`;
    // The SSL_* rules only ever match on a TLS-terminating listener; rendered as Octavia does.
    case 'SSL_CONN_HAS_CERT':
      return 'ssl_c_used';
    case 'SSL_VERIFY_RESULT':
      if (!/^\d{1,9}$/.test(rule.value)) {
        throw new HaproxyConfigError(
          `${JSON.stringify(rule.value)} is not a verify result code`,
          `${path}.value`,
        );
      }
      return `ssl_c_verify eq ${Number(rule.value)}`;
    case 'SSL_DN_FIELD':
      return `ssl_c_s_dn(${dnFieldToken(rule.key, `${path}.key`)}) ${pattern(rule, path)}`;
    default:
      throw new HaproxyConfigError(`${JSON.stringify(rule.type)} is not an L7 rule type`, `${path}.type`);
  }
}

function redirectCode(policy: L7Policy__Output, path: string): string {
  const code = policy.redirect_http_code;
  if (code === 0) return ''; // HAProxy's default, 302, as Octavia leaves it
  if (!REDIRECT_CODES.includes(code)) {
    throw new HaproxyConfigError(
      `${code} is not one of ${REDIRECT_CODES.join(', ')}`,
      `${path}.redirect_http_code`,
    );
  }
  return ` code ${code}`;
}

/** Frontend lines for a listener's `policies`; `poolFor` gives a redirect pool and its backend name. */
export function renderL7Policies(
  policies: L7Policy__Output[],
  listenerPath: string,
  poolFor: (poolId: string, path: string) => { pool: Pool__Output; backend: string },
): string[] {
  const acls: string[] = [];
  const deny: string[] = [];
  const redirect: string[] = [];
  const useBackend: string[] = [];
  const aclNames = new Set<string>();
  for (const { policy, path } of policiesByPosition(policies, listenerPath)) {
    nameToken(policy.id, `${path}.id`);
    // Validated even when not rendered: bad input is refused, never carried along.
    const target = policyTarget(policy, path, poolFor);
    const rules = policy.rules.map((rule, k) => {
      const rulePath = `${path}.rules[${k}]`;
      // Prefixed: a rule id could otherwise name our allowed_src ACL or a predefined one (TRUE, HTTP...).
      const name = `rule-${nameToken(rule.id, `${rulePath}.id`)}`;
      return { rule, rulePath, name, line: `acl ${name} ${criterion(rule, rulePath)}` };
    });
    // A REDIRECT_TO_POOL to a pool that is admin down is left out, as Octavia does.
    if (!policy.admin_state_up || target === undefined) continue;
    const conditions: string[] = [];
    for (const { rule, rulePath, name, line } of rules) {
      if (!rule.admin_state_up) continue;
      // ACLs of one name are ORed by HAProxy: a repeated rule id would change the meaning.
      if (aclNames.has(name))
        throw new HaproxyConfigError('a rule id used twice in one listener', `${rulePath}.id`);
      aclNames.add(name);
      acls.push(line);
      conditions.push(`${rule.invert ? '!' : ''}${name}`);
    }
    if (conditions.length === 0) continue;
    const cond = `if ${conditions.join(' ')}`;
    switch (policy.action) {
      case 'REJECT':
        deny.push(`http-request deny ${cond}`);
        break;
      case 'REDIRECT_TO_URL':
        redirect.push(`redirect${redirectCode(policy, path)} location ${target} ${cond}`);
        break;
      case 'REDIRECT_PREFIX':
        redirect.push(`redirect${redirectCode(policy, path)} prefix ${target} ${cond}`);
        break;
      case 'REDIRECT_TO_POOL':
        useBackend.push(`use_backend ${target} ${cond}`);
        break;
    }
  }
  return [...acls, ...deny, ...redirect, ...useBackend];
}

/** The URL, prefix or backend the policy's action needs; undefined for a pool that is admin down. */
function policyTarget(
  policy: L7Policy__Output,
  path: string,
  poolFor: (poolId: string, path: string) => { pool: Pool__Output; backend: string },
): string | undefined {
  switch (policy.action) {
    case 'REJECT':
      return '';
    case 'REDIRECT_TO_URL':
      return urlToken(policy.redirect_url, `${path}.redirect_url`);
    case 'REDIRECT_PREFIX':
      return urlToken(policy.redirect_prefix, `${path}.redirect_prefix`);
    case 'REDIRECT_TO_POOL': {
      const { pool, backend } = poolFor(policy.redirect_pool_id, `${path}.redirect_pool_id`);
      return pool.admin_state_up ? backend : undefined;
    }
    default:
      throw new HaproxyConfigError(
        `${JSON.stringify(policy.action)} is not an L7 policy action`,
        `${path}.action`,
      );
  }
}
