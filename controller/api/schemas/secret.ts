// Request body of POST /v2/velox/secrets (the local secrets store). One flat object so
// that a missing or misplaced field gets a message naming it: type "certificate" (the
// default) takes certificate + private_key (+ private_key_passphrase, intermediates);
// types "ca" and "crl" take payload. The PEM content is checked in code
// (controller/drivers/secrets/secret-material.ts).
import { Type, type Static } from 'typebox';
import { Nullable, ProjectId, Str255, envelope } from './common.js';

export const SecretTypes = ['certificate', 'ca', 'crl'];

/** One certificate or key: a few KiB, generous for 8192-bit RSA. */
const SinglePem = Type.String({ maxLength: 65_536 });
/** Chains, CA bundles and CRLs: up to fastify's 1 MiB body limit. */
const ManyPem = Type.String({ maxLength: 1_000_000 });

export const SecretPost = Type.Object(
  {
    name: Type.Optional(Nullable(Str255)),
    /** An admin's upload for another project; anybody else may only name their own. */
    project_id: Type.Optional(ProjectId),
    type: Type.Optional(Type.Enum(SecretTypes)),
    certificate: Type.Optional(SinglePem),
    // No maxLength here: a schema error quotes the value, and these two are secret. The
    // body limit bounds them; secret-material.ts refuses an oversized key without quoting it.
    private_key: Type.Optional(Type.String()),
    private_key_passphrase: Type.Optional(Type.String()),
    intermediates: Type.Optional(ManyPem),
    payload: Type.Optional(ManyPem),
  },
  { additionalProperties: false },
);
export type SecretPost = Static<typeof SecretPost>;

export const SecretPostBody = envelope('secret', SecretPost);
