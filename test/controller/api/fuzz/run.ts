// The fuzz loop: a fixture of live objects (so ids resolve and routes get past their
// lookups), then hostile requests for every documented operation in turn, each checked:
// no 5xx, Octavia's fault body on every 4xx, the database unchanged by every refused
// request, and the API still answering. Accepted writes are settled as the worker would
// (PENDING → ACTIVE, PENDING_DELETE → gone) and the id pool refreshed.
import type { Db } from '../../../../controller/db/database.js';
import { deleteLoadBalancerRows, markGraphActive } from '../../../../controller/db/worker-repo.js';
import { changedTables, dbDigest } from './db-digest.js';
import { Prng } from './prng.js';
import { fuzzRequest, operations, type FuzzRequest, type IdPool } from './requests.js';

export interface Sent {
  status: number;
  body: string;
}

/** How a request reaches the app: app.inject or a real socket. */
export type Send = (r: FuzzRequest) => Promise<Sent>;

export interface FuzzReport {
  seed: number;
  sent: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  failures: string[];
}

const PROJECTS = ['fuzz-project-a', 'fuzz-project-b'];

const LISTS: [string, string, string][] = [
  ['loadbalancers', '/v2/lbaas/loadbalancers', 'loadbalancers'],
  ['listeners', '/v2/lbaas/listeners', 'listeners'],
  ['pools', '/v2/lbaas/pools', 'pools'],
  ['healthmonitors', '/v2/lbaas/healthmonitors', 'healthmonitors'],
  ['l7policies', '/v2/lbaas/l7policies', 'l7policies'],
  ['flavors', '/v2/lbaas/flavors', 'flavors'],
  ['flavorprofiles', '/v2/lbaas/flavorprofiles', 'flavorprofiles'],
  ['availabilityzones', '/v2/lbaas/availabilityzones', 'availability_zones'],
  ['availabilityzoneprofiles', '/v2/lbaas/availabilityzoneprofiles', 'availability_zone_profiles'],
  ['secrets', '/v2/velox/secrets', 'secrets'],
  ['amphorae', '/v2/octavia/amphorae', 'amphorae'],
];

/** The read-only Neutron slice answers its 404s in Neutron's own body: its clients parse that one. */
const NEUTRON = /^\/v2\.0\/(networks|subnets|ports)(\/|\?|$)/;

function isNeutronFault(text: string): boolean {
  try {
    const e = (JSON.parse(text) as { NeutronError?: Record<string, unknown> }).NeutronError;
    return typeof e?.type === 'string' && typeof e.message === 'string';
  } catch {
    return false;
  }
}

function isFault(text: string): boolean {
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    return (
      Object.keys(b).sort().join() === 'debuginfo,faultcode,faultstring' &&
      b.faultcode === 'Client' &&
      typeof b.faultstring === 'string' &&
      b.debuginfo === null
    );
  } catch {
    return false;
  }
}

function describe(r: FuzzRequest): string {
  const p = r.payload === undefined ? '' : ` body(${r.payload.length}B)=${String(r.payload).slice(0, 160)}`;
  return `${r.method} ${r.url.slice(0, 200)} [${r.kinds.join(',')}] ${JSON.stringify(r.headers)}${p}`;
}

export class Fuzzer {
  private ids: IdPool = {};

  constructor(
    private readonly db: Db,
    private readonly send: Send,
    private readonly vipSubnetId: string,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture JSON
  private async json(method: string, url: string, body?: unknown): Promise<any> {
    const r = await this.send({
      method,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      kinds: ['fixture'],
    });
    if (r.status >= 300) throw new Error(`fixture ${method} ${url}: ${r.status} ${r.body}`);
    return r.body ? JSON.parse(r.body) : undefined;
  }

  /** A whole tree on a new load balancer, ACTIVE; and the catalog objects, where they are allowed. */
  async buildFixture(): Promise<void> {
    const lb = (
      await this.json('POST', '/v2/lbaas/loadbalancers', {
        loadbalancer: { vip_subnet_id: this.vipSubnetId },
      })
    ).loadbalancer;
    await markGraphActive(this.db, lb.id);
    const listener = (
      await this.json('POST', '/v2/lbaas/listeners', {
        listener: { loadbalancer_id: lb.id, protocol: 'HTTP', protocol_port: 80 },
      })
    ).listener;
    await markGraphActive(this.db, lb.id);
    const pool = (
      await this.json('POST', '/v2/lbaas/pools', {
        pool: { listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' },
      })
    ).pool;
    await markGraphActive(this.db, lb.id);
    await this.json('POST', `/v2/lbaas/pools/${pool.id}/members`, {
      member: { address: '10.0.0.9', protocol_port: 8080 },
    });
    await markGraphActive(this.db, lb.id);
    await this.json('POST', '/v2/lbaas/healthmonitors', {
      healthmonitor: { pool_id: pool.id, type: 'HTTP', delay: 5, timeout: 3, max_retries: 3 },
    });
    await markGraphActive(this.db, lb.id);
    const policy = (
      await this.json('POST', '/v2/lbaas/l7policies', {
        l7policy: { listener_id: listener.id, action: 'REJECT' },
      })
    ).l7policy;
    await markGraphActive(this.db, lb.id);
    await this.json('POST', `/v2/lbaas/l7policies/${policy.id}/rules`, {
      rule: { type: 'PATH', compare_type: 'STARTS_WITH', value: '/fuzz' },
    });
    await markGraphActive(this.db, lb.id);
    // Catalog objects: best effort, their validation belongs to other work and may tighten.
    const optional = async (fn: () => Promise<unknown>) => fn().catch(() => undefined);
    await optional(async () => {
      const fp = (
        await this.json('POST', '/v2/lbaas/flavorprofiles', {
          flavorprofile: { name: 'fuzz', provider_name: 'velox', flavor_data: '{}' },
        })
      ).flavorprofile;
      await this.json('POST', '/v2/lbaas/flavors', {
        flavor: { name: `fuzz-${fp.id.slice(0, 8)}`, flavor_profile_id: fp.id },
      });
    });
    await optional(async () => {
      const azp = (
        await this.json('POST', '/v2/lbaas/availabilityzoneprofiles', {
          availability_zone_profile: {
            name: 'fuzz',
            provider_name: 'velox',
            availability_zone_data: '{"compute_zone": "az1"}',
          },
        })
      ).availability_zone_profile;
      await this.json('POST', '/v2/lbaas/availabilityzones', {
        availability_zone: { name: `fuzz-${azp.id.slice(0, 8)}`, availability_zone_profile_id: azp.id },
      });
    });
    await this.refreshIds();
  }

  /** Live ids by resource, read through the API (so the fuzzer knows no table names). */
  async refreshIds(): Promise<void> {
    const ids: IdPool = {};
    for (const [resource, url, key] of LISTS) {
      const list = (await this.json('GET', url))[key] as { id?: string; name?: string }[];
      ids[resource] = list.map((o) => o.id ?? o.name!).filter(Boolean);
    }
    ids['loadbalancer'] = ids['loadbalancers']!;
    ids['listener'] = ids['listeners']!;
    ids['pool'] = ids['pools']!;
    ids['policy'] = ids['l7policies']!;
    ids['members'] = [];
    for (const pool of ids['pools']!.slice(0, 3)) {
      const members = (await this.json('GET', `/v2/lbaas/pools/${pool}/members`)).members as { id: string }[];
      ids['members'].push(...members.map((m) => m.id));
    }
    ids['rules'] = [];
    for (const policy of ids['l7policies']!.slice(0, 3)) {
      const rules = (await this.json('GET', `/v2/lbaas/l7policies/${policy}/rules`)).rules as {
        id: string;
      }[];
      ids['rules'].push(...rules.map((r) => r.id));
    }
    const projects = (await this.json('GET', '/v2/lbaas/loadbalancers')).loadbalancers.map(
      (l: { project_id: string }) => l.project_id,
    );
    ids['project'] = [...new Set<string>([...projects, ...PROJECTS])];
    ids['provider'] = ['velox', 'amphora', 'octavia', 'noop_driver'];
    this.ids = ids;
  }

  /** What the worker would do once every accepted change is done. */
  private async settle(): Promise<void> {
    const lbs = await this.db.selectFrom('load_balancer').select(['id', 'provisioning_status']).execute();
    for (const lb of lbs) {
      if (lb.provisioning_status === 'PENDING_DELETE') await deleteLoadBalancerRows(this.db, lb.id);
      else await markGraphActive(this.db, lb.id);
    }
    await this.refreshIds();
    if (!this.ids['members']!.length || !this.ids['rules']!.length || !this.ids['healthmonitors']!.length) {
      await this.buildFixture();
    }
  }

  async run(seed: number, iterations: number, deadlineMs = Infinity): Promise<FuzzReport> {
    const rng = new Prng(seed);
    const doc = JSON.parse(
      (await this.send({ method: 'GET', url: '/openapi.json', headers: {}, kinds: [] })).body,
    );
    const ops = operations(doc).filter((o) => o.method !== 'HEAD');
    const report: FuzzReport = { seed, sent: 0, byStatus: {}, byKind: {}, failures: [] };
    const fail = (msg: string) => {
      if (report.failures.length < 50) report.failures.push(msg);
    };
    const started = Date.now();
    let before = await dbDigest(this.db);
    for (let i = 0; i < iterations && Date.now() - started < deadlineMs; i++) {
      // Every operation in turn, so a short run still covers every route.
      const op = ops[i % ops.length]!;
      const req = fuzzRequest(op, this.ids, PROJECTS, rng);
      let res: Sent;
      try {
        res = await this.send(req);
      } catch (e) {
        fail(`#${i} no answer (${(e as Error).message}): ${describe(req)}`);
        continue;
      }
      report.sent++;
      report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
      for (const k of req.kinds) report.byKind[k] = (report.byKind[k] ?? 0) + 1;
      if (res.status >= 500) fail(`#${i} ${res.status} ${res.body.slice(0, 200)}: ${describe(req)}`);
      const neutron = NEUTRON.test(req.url) && isNeutronFault(res.body);
      if (res.status >= 400 && res.status < 500 && !isFault(res.body) && !neutron) {
        fail(
          `#${i} ${res.status} without Octavia's fault body (${res.body.slice(0, 200)}): ${describe(req)}`,
        );
      }
      const after = await dbDigest(this.db);
      if (res.status >= 400 && after.hash !== before.hash) {
        fail(
          `#${i} refused with ${res.status} but changed ${changedTables(before, after).join(',')}: ${describe(req)}`,
        );
      }
      if (res.status < 300 && req.method !== 'GET' && after.hash !== before.hash) {
        await this.settle();
        before = await dbDigest(this.db);
      } else before = after;
      if (i % 50 === 49) {
        const alive = await this.send({ method: 'GET', url: '/', headers: {}, kinds: [] }).catch(
          () => undefined,
        );
        if (alive?.status !== 200) fail(`#${i} the API stopped answering GET / (${alive?.status})`);
      }
    }
    return report;
  }
}
