// Read-only views fed by heartbeats: a load balancer's status tree
// (/loadbalancers/{id}/status, and Octavia's older alias /statuses) and the traffic
// statistics of a load balancer or a listener. Same 404/403 as the show routes.
import type { FastifyPluginAsync } from 'fastify';
import { getListener } from '../../db/listener-repo.js';
import { getLoadBalancer } from '../../db/load-balancer-repo.js';
import { listenerStatistics, loadBalancerStatistics } from '../../db/statistics-repo.js';
import { loadLoadBalancerGraph } from '../../db/worker-repo.js';
import { authorizeRead, requestContext } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { statusTree } from '../views/status.js';
import { found, idParam } from './resource.js';

export function statusStatsRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    for (const path of ['/loadbalancers/:id/status', '/loadbalancers/:id/statuses']) {
      app.get(path, async (req) => {
        const id = idParam(req);
        const lb = found(await getLoadBalancer(deps.db, id), 'Load Balancer', id);
        authorizeRead(requestContext(req), lb.project_id);
        const graph = found(await loadLoadBalancerGraph(deps.db, id), 'Load Balancer', id);
        return statusTree(graph);
      });
    }

    app.get('/loadbalancers/:id/stats', async (req) => {
      const id = idParam(req);
      const lb = found(await getLoadBalancer(deps.db, id), 'Load Balancer', id);
      authorizeRead(requestContext(req), lb.project_id);
      return { stats: await loadBalancerStatistics(deps.db, id) };
    });

    app.get('/listeners/:id/stats', async (req) => {
      const id = idParam(req);
      const l = found(await getListener(deps.db, id), 'Listener', id);
      authorizeRead(requestContext(req), l.project_id);
      return { stats: (await listenerStatistics(deps.db, [id])).get(id)! };
    });
  };
}
