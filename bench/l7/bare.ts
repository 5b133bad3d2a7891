// The reference: HAProxy started by hand on bench/l7/haproxy-bare.cfg, the configuration
// an operator would write for the same load balancer. Filling the template is pure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../dataplane/topology.js';
import { ADDR, PORT } from './topology.js';

export const BARE_TEMPLATE = join(REPO, 'bench', 'l7', 'haproxy-bare.cfg');

/** Replaces every {{name}}; a name without a value, or a value no name uses, is an error. */
export function fillTemplate(text: string, values: Record<string, string | number>): string {
  const used = new Set<string>();
  const out = text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`the template names {{${name}}}, which has no value`);
    used.add(name);
    return String(values[name]);
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`the template does not use ${unused.join(', ')}`);
  return out;
}

/** The bench's addresses; maxconn as the agent computes it from the fd limit (render.ts). */
export function bareValues(maxconn: number): Record<string, string | number> {
  return {
    maxconn,
    vip: ADDR.vip,
    port: PORT.vip,
    memberPort: PORT.member,
    ...Object.fromEntries(ADDR.members.map((m, i) => [`member${i}`, m])),
  };
}

export function bareConfig(maxconn: number): string {
  return fillTemplate(readFileSync(BARE_TEMPLATE, 'utf8'), bareValues(maxconn));
}
