// A small Octavia v2 REST client for the demo and the end-to-end tests: what a user's
// automation does with curl, with polling until ACTIVE as Octavia clients do.
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON, checked by the callers */
export class Octavia {
  constructor(
    readonly base: string,
    readonly project = 'demo',
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + path, {
      method,
      // No project header: noauth treats the caller as the cloud admin (admin API calls).
      headers: {
        'content-type': 'application/json',
        ...(this.project ? { 'x-project-id': this.project } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async subnetId(name: string): Promise<string> {
    const r = await this.ok('GET', `/v2.0/subnets?name=${encodeURIComponent(name)}`);
    if (!r.subnets[0]) throw new Error(`no subnet ${name}`);
    return r.subnets[0].id as string;
  }

  /** Poll the load balancer until it is ACTIVE (or gone, when `gone`); bounded. */
  async waitLb(id: string, opts: { gone?: boolean; timeoutMs?: number } = {}): Promise<any> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let last = '';
    while (Date.now() < deadline) {
      const r = await this.call('GET', `/v2/lbaas/loadbalancers/${id}`);
      if (opts.gone && r.status === 404) return null;
      if (r.status === 200) {
        last = r.body.loadbalancer.provisioning_status;
        if (!opts.gone && last === 'ACTIVE') return r.body.loadbalancer;
        if (last === 'ERROR') throw new Error(`load balancer ${id} went to ERROR`);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`load balancer ${id} still ${last} after ${opts.timeoutMs ?? 60_000} ms`);
  }
}
