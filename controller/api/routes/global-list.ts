// The list of an operator-defined collection without projects or tags (flavors,
// availability zones, their profiles): the one list helper, and Octavia's envelope
// whose links key is not always `<plural>_links` (flavorprofile_links).
import type { FastifyRequest } from 'fastify';
import type { ListSpec } from '../../db/list-query.js';
import { pageLinks, parseListQuery, selectFields, type FieldMap } from '../list-helper.js';
import type { Query } from './resource.js';

export async function globalList<V extends object>(
  req: FastifyRequest,
  keys: { plural: string; links: string },
  fields: FieldMap,
  list: (spec: ListSpec) => Promise<V[]>,
  /** The attribute a marker names. */
  key: keyof V & string,
): Promise<Record<string, unknown>> {
  const parsed = parseListQuery(req.query as Query, fields);
  // These objects carry no tags: tag filters have nothing to match on.
  parsed.spec.tags = { all: [], any: [], notAll: [], notAny: [] };
  const views = await list(parsed.spec);
  return {
    [keys.plural]: views.map((v) => selectFields(v, parsed.fields)),
    [keys.links]: pageLinks(
      req,
      parsed,
      views.map((v) => String(v[key])),
    ),
  };
}
