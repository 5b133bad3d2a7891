// Port rows as both network drivers (local, noop) write them: Neutron's MAC prefix, and
// an insert that reports a taken address instead of failing the caller's transaction.
import { createHash } from 'node:crypto';
import { now, type Executor } from '../../db/database.js';
import { VeloxError } from '../../errors.js';
import { addressValue, formatAddress, type Family } from './cidr.js';
import type { AllocatePortRequest, Port } from './types.js';

/** Neutron's MAC prefix, the rest derived from the port id. */
export function macFor(portId: string): string {
  const h = createHash('sha1').update(portId).digest();
  return ['fa', '16', '3e', ...[h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** The row of a new port `id` with address `ip` on (networkId, subnetId). */
export function portRow(
  req: AllocatePortRequest,
  id: string,
  networkId: string,
  subnetId: string,
  ip: string,
): Port {
  return {
    id,
    project_id: req.projectId,
    name: req.name,
    network_id: networkId,
    subnet_id: subnetId,
    ip_address: ip,
    mac_address: macFor(id),
    device_owner: req.deviceOwner,
    device_id: req.deviceId,
    created_at: now(),
  };
}

/**
 * Inserts the row unless its id or address is taken (false then). DO NOTHING rather
 * than a caught error: on PostgreSQL an error aborts the caller's transaction.
 */
export async function insertPortRow(ex: Executor, row: Port): Promise<boolean> {
  const inserted = await ex
    .insertInto('port')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows) === 1;
}

/** Where a subnet hands out addresses: its family, pool and gateway (never handed out). */
export interface AddressPool {
  subnetId: string;
  networkId: string;
  family: Family;
  pool: { start: bigint; end: bigint };
  gateway: bigint;
}

/** The lowest address of the pool no port of the subnet holds. */
export async function lowestFreeAddress(ex: Executor, p: AddressPool): Promise<string> {
  const rows = await ex.selectFrom('port').select('ip_address').where('subnet_id', '=', p.subnetId).execute();
  const used = new Set(rows.map((r) => addressValue(r.ip_address)?.value));
  used.add(p.gateway);
  // Ends at the first gap: at most (addresses handed out + 2) steps.
  for (let n = p.pool.start; n <= p.pool.end; n++) {
    if (!used.has(n)) return formatAddress(p.family, n);
  }
  throw new VeloxError('IpAddressGenerationFailure', { net_id: p.networkId });
}
