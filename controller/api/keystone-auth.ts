// auth_strategy = keystone: who a client's X-Auth-Token belongs to, asked of Keystone
// with the controller's own service token and remembered for a while.
//
// - The service token is obtained on first use and renewed before it expires (when
//   less than a quarter of its life, at most two minutes, is left, as keystoneauth
//   does); if Keystone refuses it anyway (revoked), it is renewed and the question
//   asked once more.
// - A validated token is cached until min(expires_at, now + cacheSeconds): like
//   keystonemiddleware's token_cache_time, this bounds how long a revoked token keeps
//   working here (revocation delay); an expired token is never accepted. Concurrent
//   requests with the same uncached token share one question to Keystone.
import type { KeystoneConfig } from '../config.js';
import {
  checkToken,
  issueServiceToken,
  KeystoneUnavailable,
  TokenRejected,
  type TokenInfo,
} from './keystone-client.js';
import { TokenCache } from './keystone-token-cache.js';

/** Longest token Keystone issues is far below this; longer headers are refused unasked. */
const MAX_TOKEN_LENGTH = 8192;
const RENEW_MARGIN_MS = 120_000;

interface HeldServiceToken {
  token: string;
  renewAt: number;
}

export class KeystoneAuthenticator {
  private readonly cache: TokenCache<TokenInfo>;
  private readonly inFlight = new Map<string, Promise<TokenInfo>>();
  private service: HeldServiceToken | undefined;
  private serviceRequest: Promise<string> | undefined;

  constructor(readonly cfg: KeystoneConfig) {
    checkKeystoneConfig(cfg);
    this.cache = new TokenCache<TokenInfo>(cfg.cacheSize);
  }

  /** The bearer of `token`, or TokenRejected (401) / KeystoneUnavailable (503). */
  async authenticate(token: string | undefined): Promise<TokenInfo> {
    if (token === undefined || token === '') throw new TokenRejected('no X-Auth-Token');
    if (token.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
      throw new TokenRejected('malformed X-Auth-Token');
    }
    const cached = this.cache.get(token);
    if (cached) return cached;
    const key = TokenCache.key(token);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.validate(token).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async validate(token: string): Promise<TokenInfo> {
    let answer = await checkToken(this.cfg, await this.serviceToken(), token);
    if (answer === 'service-token-rejected') {
      this.service = undefined;
      answer = await checkToken(this.cfg, await this.serviceToken(), token);
      if (answer === 'service-token-rejected') {
        throw new KeystoneUnavailable('Keystone refuses the service token it has just issued');
      }
    }
    this.cache.set(token, answer, Math.min(answer.expiresAt, Date.now() + this.cfg.cacheSeconds * 1000));
    return answer;
  }

  private async serviceToken(): Promise<string> {
    if (this.service && Date.now() < this.service.renewAt) return this.service.token;
    this.serviceRequest ??= issueServiceToken(this.cfg)
      .then(({ token, expiresAt }) => {
        const now = Date.now();
        const margin = Math.min(RENEW_MARGIN_MS, (expiresAt - now) / 4);
        this.service = { token, renewAt: expiresAt - margin };
        return token;
      })
      .finally(() => {
        this.serviceRequest = undefined;
      });
    return this.serviceRequest;
  }
}

/** A clear error at start-up rather than a 503 on every request. */
export function checkKeystoneConfig(cfg: KeystoneConfig | undefined): asserts cfg is KeystoneConfig {
  if (!cfg) throw new Error('api.authStrategy is "keystone" but the config has no keystone section');
  if (!/^https?:\/\/[^/]/.test(cfg.authUrl ?? '')) {
    throw new Error(`keystone.authUrl must be an http(s) URL, not ${JSON.stringify(cfg.authUrl)}`);
  }
  for (const key of ['username', 'password', 'userDomainName', 'projectName', 'projectDomainName'] as const) {
    if (typeof cfg[key] !== 'string' || cfg[key] === '') throw new Error(`keystone.${key} must be set`);
  }
  if (typeof cfg.cacheSeconds !== 'number' || !(cfg.cacheSeconds >= 0)) {
    throw new Error('keystone.cacheSeconds must be a number >= 0');
  }
  if (typeof cfg.timeoutMs !== 'number' || !(cfg.timeoutMs > 0))
    throw new Error('keystone.timeoutMs must be > 0');
}
