// The two Keystone v3 calls the controller makes: issue its own (service) token with
// password credentials scoped to the service project, and validate a client's token
// with it (GET /v3/auth/tokens, X-Subject-Token). Failures are sorted the way
// keystonemiddleware sorts them: a token Keystone does not know (404) is the client's
// fault (401); anything else (no answer, a timeout, a 5xx, refused service
// credentials) means Keystone cannot vouch for anybody, so nobody passes (503).
import type { KeystoneConfig } from '../config.js';

/** The client's token is missing, malformed, expired, revoked or unknown: 401. */
export class TokenRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/** Keystone could not answer whether a token is valid: 503, never a pass. */
export class KeystoneUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'KeystoneUnavailable';
  }
}

/** What a validated token says about its bearer. */
export interface TokenInfo {
  userId: string | null;
  /** The project the token is scoped to; null for system- or domain-scoped tokens. */
  projectId: string | null;
  /** Role names, with the roles they imply (Keystone expands them). */
  roles: string[];
  /** Scoped to the whole deployment (`"system": {"all": true}`). */
  systemScope: boolean;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface ServiceToken {
  token: string;
  expiresAt: number;
}

/** The v3 root: `auth_url` may be given with or without its `/v3`. */
export function identityRoot(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

async function send(cfg: KeystoneConfig, path: string, init: RequestInit): Promise<Response> {
  const url = `${identityRoot(cfg.authUrl)}${path}`;
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(cfg.timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new KeystoneUnavailable(`cannot reach Keystone at ${url}: ${cause}`);
  }
}

async function jsonBody(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new KeystoneUnavailable(`Keystone answered ${res.status} without a JSON body`);
  }
}

function expiry(token: Record<string, unknown> | undefined): number {
  const at = Date.parse(String(token?.['expires_at']));
  if (Number.isNaN(at)) throw new KeystoneUnavailable('Keystone answered a token without a valid expires_at');
  return at;
}

/** POST /v3/auth/tokens: password authentication, scoped to the service project. */
export async function issueServiceToken(cfg: KeystoneConfig): Promise<ServiceToken> {
  const body = {
    auth: {
      identity: {
        methods: ['password'],
        password: {
          user: { name: cfg.username, password: cfg.password, domain: { name: cfg.userDomainName } },
        },
      },
      scope: { project: { name: cfg.projectName, domain: { name: cfg.projectDomainName } } },
    },
  };
  const res = await send(cfg, '/auth/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) {
    await res.body?.cancel();
    throw new KeystoneUnavailable(
      res.status === 401
        ? `Keystone refused the service credentials of user ${cfg.username} (keystone section of the config)`
        : `Keystone answered ${res.status} when asked for the service token`,
    );
  }
  const token = res.headers.get('x-subject-token');
  const parsed = (await jsonBody(res)) as { token?: Record<string, unknown> };
  if (!token) throw new KeystoneUnavailable('Keystone issued a service token without X-Subject-Token');
  return { token, expiresAt: expiry(parsed.token) };
}

function tokenInfo(body: unknown): TokenInfo {
  const token = (body as { token?: Record<string, unknown> }).token;
  if (!token) throw new KeystoneUnavailable('Keystone validated a token but sent no token body');
  const project = token['project'] as { id?: string } | undefined;
  const user = token['user'] as { id?: string } | undefined;
  const roles = (token['roles'] as { name?: string }[] | undefined) ?? [];
  const system = token['system'] as { all?: boolean } | undefined;
  return {
    userId: user?.id ?? null,
    projectId: project?.id ?? null,
    roles: roles.map((r) => r.name).filter((n): n is string => typeof n === 'string'),
    systemScope: system?.all === true,
    expiresAt: expiry(token),
  };
}

/**
 * GET /v3/auth/tokens for `subject`, authenticated by `serviceToken`. Returns
 * 'service-token-rejected' when Keystone no longer accepts the service token (revoked,
 * or expired early), so that the caller renews it and asks once more.
 */
export async function checkToken(
  cfg: KeystoneConfig,
  serviceToken: string,
  subject: string,
): Promise<TokenInfo | 'service-token-rejected'> {
  const res = await send(cfg, '/auth/tokens', {
    method: 'GET',
    headers: { 'x-auth-token': serviceToken, 'x-subject-token': subject, accept: 'application/json' },
  });
  if (res.status === 200) {
    const info = tokenInfo(await jsonBody(res));
    if (info.expiresAt <= Date.now()) throw new TokenRejected('token expired');
    return info;
  }
  await res.body?.cancel();
  if (res.status === 404)
    throw new TokenRejected('Keystone does not know the token (invalid, expired or revoked)');
  if (res.status === 401) return 'service-token-rejected';
  throw new KeystoneUnavailable(`Keystone answered ${res.status} when validating a token`);
}
