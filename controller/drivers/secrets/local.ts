// The local secrets driver: TLS material kept in the controller's own database, sealed
// with AES-256-GCM under a master key file (secret-box.ts), uploaded through
// POST /v2/velox/secrets (controller/api/routes/secrets.ts).
//
// Making one:
//   localSecrets(db, config)           // the controller's: key from config.secrets.keyFile
//                                      // or `${config.stateDir}/secrets.key` (made on first use)
//   new LocalSecretsDriver(db, box)    // any SecretBox, e.g. SecretBox.withKey(randomBytes(32))
// `db` is the controller's Kysely database (or a transaction). The key is read on the
// first seal or open, not when the driver is made.
//
// A ref is the secret's `secret_ref` URL (http://HOST/v2/velox/secrets/<id>, any host)
// or its bare id (local-ref.ts). Another project's secret answers exactly as an unknown
// one (SecretNotFoundError): a project cannot learn what others store.
import { randomUUID } from 'node:crypto';
import type { ControllerConfig } from '../../config.js';
import { now, type Executor } from '../../db/database.js';
import { getSecret, insertSecret, type SecretKind, type SecretRow } from '../../db/secret-repo.js';
import { localSecretId } from './local-ref.js';
import { secretBoxFor, SecretBox } from './secret-box.js';
import type { SecretMaterial, SecretMetadata } from './secret-material.js';
import {
  SecretContentError,
  SecretNotFoundError,
  type CertificateBundle,
  type PemSecretKind,
  type SecretScope,
  type SecretsDriver,
} from './types.js';

/** A new secret: who owns it, what it is called, and what was checked (secret-material.ts). */
export interface NewSecret {
  projectId: string;
  name: string;
  material: SecretMaterial;
  metadata: SecretMetadata;
}

/** The associated data of a row's seal: the row's identity, so a value moved elsewhere does not open. */
function associated(row: Pick<SecretRow, 'id' | 'project_id' | 'kind'>): string {
  return `velox-secret:${row.id}:${row.project_id}:${row.kind}`;
}

export class LocalSecretsDriver implements SecretsDriver {
  readonly name = 'local';

  constructor(
    private readonly db: Executor,
    private readonly box: SecretBox,
  ) {}

  /** Seals and stores an upload that secret-material.ts accepted; the row as stored. */
  async store(secret: NewSecret): Promise<SecretRow> {
    const id = randomUUID();
    const kind: SecretKind = secret.material.kind;
    const head = { id, project_id: secret.projectId, kind };
    const row: SecretRow = {
      ...head,
      name: secret.name,
      ciphertext: this.box.seal(JSON.stringify(secret.material), associated(head)),
      subject: secret.metadata.subject,
      not_after: secret.metadata.notAfter,
      fingerprint: secret.metadata.fingerprint,
      created_at: now(),
      updated_at: null,
    };
    await insertSecret(this.db, row);
    return row;
  }

  async getCertificate(ref: string, scope: SecretScope): Promise<CertificateBundle> {
    const material = await this.open(ref, scope);
    if (material.kind !== 'certificate') {
      throw new SecretContentError(ref, `is a ${material.kind}, not a certificate with its key`);
    }
    return {
      certificatePem: material.certificate,
      privateKeyPem: material.private_key,
      intermediatesPem: [...material.intermediates],
    };
  }

  async getPem(ref: string, kind: PemSecretKind, scope: SecretScope): Promise<string> {
    const material = await this.open(ref, scope);
    if (material.kind !== kind) {
      throw new SecretContentError(
        ref,
        `is a ${material.kind}, not a ${kind === 'ca' ? 'CA bundle' : 'CRL'}`,
      );
    }
    return material.pem;
  }

  /** The project's secret `ref` names, opened; SecretSealError (secret-box.ts) if it does not open. */
  private async open(ref: string, scope: SecretScope): Promise<SecretMaterial> {
    const id = localSecretId(ref);
    const row = id === undefined ? undefined : await getSecret(this.db, id);
    if (!row || row.project_id !== scope.projectId) throw new SecretNotFoundError(ref);
    const material = JSON.parse(this.box.open(row.ciphertext, associated(row))) as SecretMaterial;
    if (material.kind !== row.kind)
      throw new SecretContentError(ref, 'stored material does not match its kind');
    return material;
  }
}

/** The controller's local driver over `db`, with the master key `config` names. */
export function localSecrets(
  db: Executor,
  config: Pick<ControllerConfig, 'stateDir' | 'secrets'>,
): LocalSecretsDriver {
  return new LocalSecretsDriver(db, secretBoxFor(config));
}
