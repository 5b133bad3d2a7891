// Set-up shared by the L7 API tests. L7 policies need HTTP-family listeners and
// pools, which the listener and pool APIs still refuse (the HAProxy path is a later
// issue): those rows are written as the API stores them, on an ACTIVE load balancer.
import { randomUUID } from 'node:crypto';
import { now } from '../../../controller/db/database.js';
import { insertListener } from '../../../controller/db/listener-repo.js';
import { insertPool } from '../../../controller/db/pool-repo.js';
import { LISTENER_DEFAULTS } from '../../../controller/api/routes/listeners.js';
import type { Harness } from './helpers.js';

export const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
export const POLICIES = '/v2/lbaas/l7policies';

let nextPort = 8000;

/** A listener row of any protocol on the load balancer (the project of the load balancer). */
export async function listenerRow(h: Harness, lbId: string, protocol = 'HTTP'): Promise<{ id: string }> {
  const lb = await h.db
    .selectFrom('load_balancer')
    .selectAll()
    .where('id', '=', lbId)
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  await h.db.transaction().execute((trx) =>
    insertListener(trx, {
      id,
      project_id: lb.project_id,
      name: '',
      description: '',
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      enabled: 1,
      tags: '[]',
      created_at: now(),
      updated_at: null,
      load_balancer_id: lbId,
      protocol,
      protocol_port: nextPort++,
      default_pool_id: null,
      allowed_cidrs: '[]',
      ...LISTENER_DEFAULTS,
    }),
  );
  return { id };
}

/** A pool row of any protocol on the load balancer. */
export async function poolRow(h: Harness, lbId: string, protocol = 'HTTP'): Promise<{ id: string }> {
  const lb = await h.db
    .selectFrom('load_balancer')
    .selectAll()
    .where('id', '=', lbId)
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  await h.db.transaction().execute((trx) =>
    insertPool(trx, {
      id,
      project_id: lb.project_id,
      name: '',
      description: '',
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      enabled: 1,
      tags: '[]',
      created_at: now(),
      updated_at: null,
      load_balancer_id: lbId,
      protocol,
      lb_algorithm: 'ROUND_ROBIN',
      session_persistence: null,
    }),
  );
  return { id };
}

export function postPolicy(
  h: Harness,
  listenerId: string | null,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  return h.req(
    'POST',
    POLICIES,
    { l7policy: { listener_id: listenerId, action: 'REJECT', ...extra } },
    headers,
  );
}

/** An ACTIVE policy (the load balancer is activated after the create). */
export async function activePolicy(
  h: Harness,
  lbId: string,
  listenerId: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; position: number }> {
  const r = await postPolicy(h, listenerId, extra);
  if (r.status !== 201) throw new Error(`create policy: ${r.status} ${JSON.stringify(r.body)}`);
  await h.activate(lbId);
  return r.body.l7policy;
}

export async function provisioning(h: Harness, path: string, key: string): Promise<string> {
  return (await h.req('GET', path)).body[key].provisioning_status;
}
