// Secret row -> what the API shows: identity, the ref to paste into listener and pool
// fields, and the clear metadata. Never the sealed material.
import type { FastifyRequest } from 'fastify';
import type { SecretRow } from '../../db/secret-repo.js';
import { secretRef } from '../../drivers/secrets/local-ref.js';
import type { FieldMap } from '../list-helper.js';

export interface SecretView {
  id: string;
  name: string;
  project_id: string;
  type: SecretRow['kind'];
  secret_ref: string;
  subject: string | null;
  expiration: string | null;
  fingerprint: string | null;
  created_at: string;
  updated_at: string | null;
}

export const secretFields: FieldMap = {
  id: { column: 'id', kind: 'text' },
  name: { column: 'name', kind: 'text' },
  project_id: { column: 'project_id', kind: 'text' },
  type: { column: 'kind', kind: 'text' },
  subject: { column: 'subject', kind: 'text' },
  expiration: { column: 'not_after', kind: 'text' },
  fingerprint: { column: 'fingerprint', kind: 'text' },
  created_at: { column: 'created_at', kind: 'text' },
  updated_at: { column: 'updated_at', kind: 'text' },
};

/** The API's origin as the client reached it: its secret_refs point back here. */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function secretView(origin: string, row: SecretRow): SecretView {
  return {
    id: row.id,
    name: row.name,
    project_id: row.project_id,
    type: row.kind,
    secret_ref: secretRef(origin, row.id),
    subject: row.subject,
    expiration: row.not_after,
    fingerprint: row.fingerprint,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
