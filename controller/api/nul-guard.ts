// PostgreSQL text cannot hold U+0000 (SQLite can), so a NUL in an id, a query value or a body
// string would fail in the database as a 500. Refused up front, the same on both: a 400.
import type { FastifyRequest } from 'fastify';
import { VeloxError } from '../errors.js';

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.includes('\u0000') || hasNul(v, depth + 1)) return true;
  }
  return false;
}

export async function refuseNul(req: FastifyRequest): Promise<void> {
  for (const [where, value] of [
    ['path', req.params],
    ['query', req.query],
    ['body', req.body],
  ] as const) {
    if (hasNul(value))
      throw new VeloxError('ValidationException', { detail: `The ${where} holds a NUL character.` });
  }
}
