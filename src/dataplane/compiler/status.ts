// Operating statuses of fast-path objects, as Octavia reports them for HAProxy's
// (octavia/amphorae/drivers/health/heartbeat_udp.py): a member is OFFLINE when it or
// its pool is disabled, ERROR when its health check fails or it cannot be reached,
// DRAINING at weight 0, NO_MONITOR when nothing checks it, else ONLINE; a pool is
// ERROR when no member takes flows and DEGRADED when some member is in ERROR.
import type { Member__Output } from '../../grpc/gen/velox/agent/v1/Member.js';
import type { Pool__Output } from '../../grpc/gen/velox/agent/v1/Pool.js';
import type { CompiledMember, MemberHealth, OperatingStatus } from './types.js';

/** A pool whose members are checked: it has a health monitor that is enabled. */
export function isMonitored(pool: Pool__Output): boolean {
  return pool.health_monitor !== null && pool.health_monitor.admin_state_up;
}

/** The health checker's verdict counts only while the pool's monitor is enabled. */
export function failsHealth(pool: Pool__Output, m: Member__Output, health: MemberHealth): boolean {
  return isMonitored(pool) && health(m.id) === 'ERROR';
}

export function memberStatus(
  pool: Pool__Output,
  m: Member__Output,
  compiled: CompiledMember,
  health: MemberHealth,
): OperatingStatus {
  if (!m.admin_state_up || !pool.admin_state_up) return 'OFFLINE';
  if (compiled.backendId === null || failsHealth(pool, m, health)) return 'ERROR';
  if (m.weight === 0) return 'DRAINING';
  // The checker says NO_MONITOR for a monitor it cannot run (e.g. SCTP): nothing checks the member.
  return isMonitored(pool) && health(m.id) !== 'NO_MONITOR' ? 'ONLINE' : 'NO_MONITOR';
}

export function poolStatus(pool: Pool__Output, ringSize: number, members: CompiledMember[]): OperatingStatus {
  if (!pool.admin_state_up) return 'OFFLINE';
  if (ringSize === 0) return 'ERROR';
  return members.some((m) => m.status === 'ERROR') ? 'DEGRADED' : 'ONLINE';
}
