// The one request-body reader of the API (JSON and text/plain). Two hostile bodies are
// answered here, before anything walks them:
// - too deep: JSON.parse copes with 100,000 nested arrays, but every recursive walker after
//   it (schema validation, the error renderer's JSON.stringify) overflows the stack. The
//   raw text is scanned for its nesting depth first; Octavia's deepest body is 4 levels.
// - too large: answering 413 while the client is still sending and then closing makes the
//   kernel reset the connection, and the client loses the answer. The rest of the body is
//   read and discarded (up to a bound) so the 413 arrives intact.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VeloxError } from '../errors.js';

/** Deeper than any Octavia body (members batch: body → members → member → tags). */
export const MAX_JSON_DEPTH = 32;
/** fastify's default body limit, kept explicit because the 413 names it. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How much of an oversized body is read and thrown away before the 413 goes out anyway. */
export const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/** Whether `text` nests arrays/objects deeper than `max`; strings are skipped, escapes honoured. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/** Parse a JSON body: empty is no body (clients send the header on GET/DELETE), else bounded. */
export function parseJsonBody(raw: string): unknown {
  const text = raw.trim();
  if (text === '') return undefined;
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new VeloxError('MalformedBody', { detail: `nested deeper than ${MAX_JSON_DEPTH} levels` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new VeloxError('MalformedBody', { detail: (e as Error).message });
  }
}

/**
 * Read the whole body of `req` as UTF-8, at most `limit` bytes. Past the limit the rest is
 * drained (up to `discard` bytes in all) before the BodyTooLarge error is returned, so the
 * client has finished sending when the 413 and the connection close come.
 */
export function readBody(
  req: FastifyRequest,
  limit = MAX_BODY_BYTES,
  discard = MAX_DISCARD_BYTES,
): Promise<string> {
  const stream = req.raw;
  const tooLarge = () => new VeloxError('BodyTooLarge', { limit });
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let received = 0;
    let over = declared > limit;
    const chunks: Buffer[] = [];
    const finish = (err?: Error) => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      if (err) reject(err);
      else if (over) reject(tooLarge());
      else if (!Number.isNaN(declared) && declared !== received) {
        reject(new VeloxError('MalformedBody', { detail: 'body length differs from Content-Length' }));
      } else resolve(Buffer.concat(chunks, received).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) over = true;
      if (!over) chunks.push(chunk);
      else chunks.length = 0;
      // Enough discarded: answer now; the connection closes after the 413.
      if (received > discard) {
        stream.pause();
        finish();
      }
    };
    const onEnd = () => finish();
    const onError = (err: Error) =>
      finish(over ? tooLarge() : new VeloxError('MalformedBody', { detail: err.message }));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/** Replace fastify's body parsers with the bounded ones above. */
export function boundedBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', async (req: FastifyRequest) =>
    parseJsonBody(await readBody(req)),
  );
  app.addContentTypeParser('text/plain', async (req: FastifyRequest) => readBody(req));
}
