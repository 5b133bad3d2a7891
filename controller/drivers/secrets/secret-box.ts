// Sealing the local secrets store's rows: AES-256-GCM with a fresh random 12-byte nonce
// per seal, under one 32-byte master key kept in a file (never in the database, so a
// copy of the database alone reveals no key). The caller's associated data (the row's
// id, project and kind) is authenticated with it, so a sealed value copied into another
// row does not open there. A wrong key, a changed byte or a swapped row is a
// SecretSealError, never garbage: GCM's tag checks all of them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ControllerConfig } from '../../config.js';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every sealed value: the format, so that another one can follow. */
const FORMAT_V1 = 1;

/** A sealed value that does not open: wrong master key, changed bytes, or another row's value. */
export class SecretSealError extends Error {
  override readonly name = 'SecretSealError';
}

/** The master key file is missing, unreadable, of the wrong size, or readable by others. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

export class SecretBox {
  private key: Buffer | undefined;

  /** `loadKey` runs on the first seal or open, not before: an API that never stores a secret needs no key. */
  private constructor(private readonly loadKey: () => Buffer) {}

  /** A box over a key already in memory (32 bytes). */
  static withKey(key: Buffer): SecretBox {
    checkKeyLength(key, 'the key');
    const copy = Buffer.from(key);
    return new SecretBox(() => copy);
  }

  /**
   * A box whose key is in `path`. With `create`, a missing file is made with 32 random
   * bytes, mode 0600 (the default key under the state folder); without, it must exist
   * (a key file the operator named: making a new one would silently orphan every row).
   */
  static fromKeyFile(path: string, create: boolean): SecretBox {
    return new SecretBox(() => readOrCreateKey(path, create));
  }

  /** base64 of format | nonce | ciphertext | tag. */
  seal(plaintext: string, associated: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey(), nonce);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_V1), nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The plaintext of `sealed`, if it was sealed with this key and `associated`. */
  open(sealed: string, associated: string): string {
    const bytes = Buffer.from(sealed, 'base64');
    if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES || bytes[0] !== FORMAT_V1) {
      throw new SecretSealError('sealed secret is malformed (not format 1)');
    }
    const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey(), nonce);
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretSealError(
        'sealed secret does not open: wrong master key, or the stored row was changed or moved',
      );
    }
  }

  private masterKey(): Buffer {
    return (this.key ??= this.loadKey());
  }
}

/** The master key file of `config`: secrets.keyFile, else `${stateDir}/secrets.key`. */
export function secretKeyPath(config: Pick<ControllerConfig, 'stateDir' | 'secrets'>): {
  path: string;
  create: boolean;
} {
  const named = config.secrets?.keyFile;
  return named
    ? { path: named, create: false }
    : { path: join(config.stateDir, 'secrets.key'), create: true };
}

const boxes = new Map<string, SecretBox>();

/** One box per key file in this process (the API and the worker share it). */
export function secretBoxFor(config: Pick<ControllerConfig, 'stateDir' | 'secrets'>): SecretBox {
  const { path, create } = secretKeyPath(config);
  let box = boxes.get(path);
  if (!box) boxes.set(path, (box = SecretBox.fromKeyFile(path, create)));
  return box;
}

function checkKeyLength(key: Buffer, what: string): void {
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(`${what} must be ${KEY_BYTES} bytes, not ${key.length}`);
  }
}

function readOrCreateKey(path: string, create: boolean): Buffer {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SecretKeyError(`cannot read secrets key ${path}: ${(err as Error).message}`);
    }
    if (!create) {
      throw new SecretKeyError(
        `secrets key ${path} does not exist; make one with: head -c 32 /dev/urandom > ${path} && chmod 600 ${path}`,
      );
    }
    return createKey(path);
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new SecretKeyError(
      `secrets key ${path} is accessible by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  const key = readFileSync(path);
  checkKeyLength(key, `secrets key ${path}`);
  return key;
}

/**
 * 32 random bytes in `path`, mode 0600. Written to a temporary name and linked into
 * place, so that two processes starting at once end with one key, and neither reads a
 * half-written file: the loser of the link reads the winner's key.
 */
function createKey(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readOrCreateKey(path, false);
}
