// The PEM files a rendered config refers to (certificates, keys, CA bundles, CRLs). Each is
// named by the hash of its content, so the text alone says which files it needs: a change of
// key material is a change of text, a reload never reads a file another config still uses,
// and rendering stays pure. The manager writes them 0600 in a 0700 directory.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HaproxyConfigError } from './errors.js';

export interface TlsFile {
  name: string; // file name inside the TLS directory, e.g. "cert-<sha256>.pem"
  content: string;
}

export type TlsFileKind = 'cert' | 'ca' | 'crl' | 'crt-list';

const PEM_BLOCK = /^-----BEGIN [A-Z0-9 ]+-----\r?\n[A-Za-z0-9+/=\r\n]+-----END [A-Z0-9 ]+-----\r?\n?$/;

/** A PEM document: one or more BEGIN/END blocks of base64, nothing else (no config words). */
export function checkPem(content: string, path: string): string {
  const blocks = content
    .trim()
    .split(/(?<=-----END [A-Z0-9 ]+-----)\s*/)
    .filter((b) => b !== '');
  if (blocks.length === 0 || !blocks.every((b) => PEM_BLOCK.test(`${b}\n`))) {
    throw new HaproxyConfigError('is not PEM', path);
  }
  return `${blocks.join('\n')}\n`;
}

/** Collects the files of one rendering; `add` returns the absolute path the config names. */
export class TlsFileSet {
  private readonly files = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** `content` is written as given (PEM already checked, or a crt-list naming added files). */
  add(kind: TlsFileKind, content: string): string {
    const hash = createHash('sha256').update(content).digest('hex');
    const name = `${kind}-${hash}.${kind === 'crt-list' ? 'txt' : 'pem'}`;
    this.files.set(name, content);
    return join(this.dir, name);
  }

  list(): TlsFile[] {
    return [...this.files]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, content]) => ({ name, content }));
  }
}
