// Set-up shared by the L7 API tests: listeners and pools of any protocol, created
// through the API and settled, so the load balancer is ACTIVE again afterwards.
import { TestCa } from '../../lib/test-ca.js';
import { activeListener, activePool, type Harness } from './helpers.js';
import { uploadCertificate } from './secret-helpers.js';

export const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
export const POLICIES = '/v2/lbaas/l7policies';

let nextPort = 8000;

/** An ACTIVE listener of any protocol on an ACTIVE load balancer (TLS ones get an uploaded certificate). */
export async function listenerRow(h: Harness, lbId: string, protocol = 'HTTP'): Promise<{ id: string }> {
  const tls =
    protocol === 'TERMINATED_HTTPS'
      ? { default_tls_container_ref: await uploadCertificate(h, await TestCa.create('L7 test CA')) }
      : {};
  return activeListener(h, lbId, { protocol, protocol_port: nextPort++, ...tls });
}

/** An ACTIVE pool of any protocol on an ACTIVE load balancer. */
export async function poolRow(h: Harness, lbId: string, protocol = 'HTTP'): Promise<{ id: string }> {
  return activePool(h, { loadbalancer_id: lbId, protocol, lb_algorithm: 'ROUND_ROBIN' });
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
