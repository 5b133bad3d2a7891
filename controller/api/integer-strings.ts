// Octavia's WSME types turn a JSON string holding an integer into that integer
// (wsme.rest.json numeric_fromjson: int("5")), and octaviaclient relies on it:
// `healthmonitor create/set --delay/--timeout` and `listener create/set
// --connection-limit` send strings. Ajv runs with coerceTypes off (a boolean must
// stay a boolean), so the integer attributes of a body are converted here, before
// validation; anything that is not an integer string is left for Ajv to refuse.
import type { FastifyRequest, preValidationHookHandler } from 'fastify';

const INTEGER = /^\s*[-+]?\d+\s*$/;

/** A preValidation hook converting `body[envelope][field]` integer strings to numbers. */
export function integerStrings(envelope: string, fields: readonly string[]): preValidationHookHandler {
  return (req: FastifyRequest, _reply, done) => {
    const obj = (req.body as Record<string, unknown> | undefined)?.[envelope];
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
      const attrs = obj as Record<string, unknown>;
      for (const f of fields) {
        const v = attrs[f];
        if (typeof v === 'string' && INTEGER.test(v)) attrs[f] = Number.parseInt(v, 10);
      }
    }
    done();
  };
}
