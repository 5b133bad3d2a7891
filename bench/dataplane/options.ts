// The data-plane bench's knobs, from the environment (DP_ROUNDS, DP_SECONDS, DP_FLOWS, DP_PAYLOAD).
import type { DataplaneOptions } from './bench.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

export function dataplaneOptions(): DataplaneOptions {
  return {
    rounds: Math.max(1, env('DP_ROUNDS', 3)),
    seconds: env('DP_SECONDS', 3),
    flows: env('DP_FLOWS', 64),
    payload: env('DP_PAYLOAD', 64),
  };
}
