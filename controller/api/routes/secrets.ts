// /v2/velox/secrets: the upload API of the local secrets store (ours, not Octavia's:
// Octavia reads Barbican). A project uploads a certificate with its key, a CA bundle or
// a CRL and gets back a `secret_ref` to put in listener and pool *_container_ref fields.
// Project-scoped like Octavia's resources: members write their own project's secrets,
// observers read them, admins everything. Key material goes in and never comes out of
// this API; it is sealed before it is stored (drivers/secrets/local.ts).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VeloxError } from '../../errors.js';
import { deleteSecret, getSecret, listSecrets, secretUses, type SecretRow } from '../../db/secret-repo.js';
import { LocalSecretsDriver, localSecrets } from '../../drivers/secrets/local.js';
import { localSecretId } from '../../drivers/secrets/local-ref.js';
import { caMaterial, certificateMaterial, crlMaterial } from '../../drivers/secrets/secret-material.js';
import { authorizeRead, authorizeWrite, listProject, projectForCreate, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { parseListQuery, selectFields } from '../list-helper.js';
import { SecretPostBody, type SecretPost } from '../schemas/secret.js';
import { requestOrigin, secretFields, secretView } from '../views/secret.js';
import { found, idParam, listEnvelope, shownFields, type Query } from './resource.js';

/** The checked material of an upload; fields of the other type are refused, not ignored. */
function checkedMaterial(body: SecretPost) {
  const type = body.type ?? 'certificate';
  const foreign =
    type === 'certificate'
      ? body.payload !== undefined && 'payload'
      : (['certificate', 'private_key', 'private_key_passphrase', 'intermediates'] as const).find(
          (f) => body[f] !== undefined,
        );
  if (foreign) {
    throw new VeloxError('InvalidSecret', { field: foreign, detail: `is not an attribute of type ${type}` });
  }
  if (type === 'ca') return caMaterial(body.payload);
  if (type === 'crl') return crlMaterial(body.payload);
  return certificateMaterial(body);
}

export function secretRoutes(deps: ApiDeps): FastifyPluginAsync {
  // The driver the rest of the API resolves refs with, so that uploads land where it reads
  // (with another driver configured, uploads would still go to the local store).
  const store =
    deps.secrets instanceof LocalSecretsDriver ? deps.secrets : localSecrets(deps.db, deps.config);
  const find = async (id: string): Promise<SecretRow> => found(await getSecret(deps.db, id), 'Secret', id);

  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/secrets', async (req: FastifyRequest) => {
      const parsed = parseListQuery(req.query as Query, secretFields);
      const project = listProject(requestContext(req), parsed.projectId);
      const scope = project ? [{ column: 'project_id', value: project }] : [];
      const rows = await listSecrets(deps.db, parsed.spec, scope);
      const origin = requestOrigin(req);
      return listEnvelope(
        req,
        'secrets',
        parsed,
        rows.map((r) => secretView(origin, r)),
      );
    });

    app.get('/secrets/:id', async (req) => {
      const row = await find(idParam(req));
      authorizeRead(requestContext(req), row.project_id);
      return { secret: selectFields(secretView(requestOrigin(req), row), shownFields(req, secretFields)) };
    });

    app.post('/secrets', { schema: { body: SecretPostBody } }, async (req, reply) => {
      const body = req.body.secret;
      const projectId = projectForCreate(requestContext(req), body.project_id);
      const { material, metadata } = checkedMaterial(body);
      const row = await store.store({ projectId, name: body.name ?? '', material, metadata });
      return reply.status(201).send({ secret: secretView(requestOrigin(req), row) });
    });

    // Refused while a listener or pool of the project names it: the next amphora config
    // built for it would otherwise fail.
    app.delete('/secrets/:id', async (req, reply) => {
      const id = idParam(req);
      const row = await find(id);
      authorizeWrite(requestContext(req), row.project_id);
      await deps.db.transaction().execute(async (trx) => {
        const use = (await secretUses(trx, row.project_id)).find((u) => localSecretId(u.ref) === row.id);
        if (use) throw new VeloxError('SecretInUse', { id, resource: use.resource, user_id: use.id });
        await deleteSecret(trx, id);
      });
      return reply.status(204).send();
    });
  };
}
