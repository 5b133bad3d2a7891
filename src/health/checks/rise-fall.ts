// The rise/fall state machine of one member, as HAProxy's `rise`/`fall` and Octavia's
// max_retries/max_retries_down: `fall` consecutive failures take an ONLINE member to ERROR,
// `rise` consecutive successes bring an ERROR member back. Pure: no clock, no I/O.

export type ProbedHealth = 'ONLINE' | 'ERROR';

export interface RiseFallState {
  readonly status: ProbedHealth;
  /** Consecutive results against the current status (failures while ONLINE, successes while ERROR). */
  readonly streak: number;
}

export interface RiseFallThresholds {
  /** Successes for ERROR → ONLINE (max_retries). */
  readonly rise: number;
  /** Failures for ONLINE → ERROR (max_retries_down). */
  readonly fall: number;
}

export function initialRiseFall(status: ProbedHealth = 'ONLINE'): RiseFallState {
  return { status, streak: 0 };
}

export function afterProbe(state: RiseFallState, ok: boolean, t: RiseFallThresholds): RiseFallState {
  const agrees = state.status === 'ONLINE' ? ok : !ok;
  if (agrees) return { status: state.status, streak: 0 };
  const streak = state.streak + 1;
  const needed = state.status === 'ONLINE' ? t.fall : t.rise;
  if (streak < needed) return { status: state.status, streak };
  return { status: state.status === 'ONLINE' ? 'ERROR' : 'ONLINE', streak: 0 };
}
