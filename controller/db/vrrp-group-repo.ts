// The VRRP group of an ACTIVE_STANDBY load balancer (Octavia's vrrp_group): its virtual
// router id, the lowest free on its VIP network, and the password both amphorae share.
// Kept across failovers, so a rebuilt amphora joins the same group.
import type { Selectable } from 'kysely';
import { now, type Executor } from './database.js';
import type { VrrpGroupTable } from './schema.js';
import { lowestFreeVrrpId, newAuthPass } from '../worker/vrrp-plan.js';

export type VrrpGroupRow = Selectable<VrrpGroupTable>;

export function getVrrpGroup(ex: Executor, lbId: string): Promise<VrrpGroupRow | undefined> {
  return ex.selectFrom('vrrp_group').selectAll().where('load_balancer_id', '=', lbId).executeTakeFirst();
}

/**
 * The group of the load balancer, made on first use. Two controllers choosing an id on
 * one network at once: the unique index refuses the second insert, which then chooses
 * again (bounded: each try sees at least one more id taken).
 */
export async function ensureVrrpGroup(
  ex: Executor,
  lbId: string,
  vipNetworkId: string,
): Promise<VrrpGroupRow> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const existing = await getVrrpGroup(ex, lbId);
    if (existing) return existing;
    const used = await ex
      .selectFrom('vrrp_group')
      .select('vrrp_id')
      .where('vip_network_id', '=', vipNetworkId)
      .execute();
    const row: VrrpGroupRow = {
      load_balancer_id: lbId,
      vip_network_id: vipNetworkId,
      vrrp_id: lowestFreeVrrpId(
        used.map((u) => u.vrrp_id),
        vipNetworkId,
      ),
      auth_pass: newAuthPass(),
      created_at: now(),
    };
    const r = await ex
      .insertInto('vrrp_group')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows) === 1) return row;
  }
  throw new Error(`no VRRP group could be made for load balancer ${lbId}: too many concurrent choices`);
}
