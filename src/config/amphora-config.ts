// Reading an AmphoraConfig from a file (standalone mode): JSON syntax, then shape, then meaning.
import { readFile } from 'node:fs/promises';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { ConfigError } from './config-error.js';
import { readAmphoraConfig } from './proto-json.js';
import { validateAmphoraConfig } from './validate.js';

export type AmphoraConfig = AmphoraConfig__Output;

/** Parse and validate JSON text; throws ConfigError. */
export function parseAmphoraConfig(text: string): AmphoraConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('', `not valid JSON: ${(err as Error).message}`);
  }
  const config = readAmphoraConfig(json);
  validateAmphoraConfig(config);
  return config;
}

export async function loadAmphoraConfig(file: string): Promise<AmphoraConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseAmphoraConfig(text);
}

/** A pool's re-encryption fields when it has none (proto3 defaults). */
export const POOL_TLS_DEFAULTS = {
  tls_enabled: false,
  tls_certificate: null,
  ca_pem: '',
  crl_pem: '',
  tls_ciphers: '',
  tls_versions: [] as string[],
  alpn_protocols: [] as string[],
} as const;
