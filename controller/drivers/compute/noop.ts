// The no-op compute driver (Octavia's compute/drivers/noop_driver): an amphora is a
// name in memory. Nothing is started, no namespace or link is made, so it needs no
// privileges; the worker's flows run unchanged around it.
import type { AmphoraHandle, ComputeDriver, CreateAmphoraRequest } from './types.js';

export interface NoopComputeOptions {
  /** Called when an amphora is deleted, so the no-op amphora driver forgets it too. */
  onDelete?: (amphoraId: string) => void;
}

export class NoopCompute implements ComputeDriver {
  private readonly amphorae = new Set<string>();

  constructor(private readonly opts: NoopComputeOptions = {}) {}

  /** The compute id it reports for an amphora (there is no namespace: the name says so). */
  nsName(amphoraId: string): string {
    return `noop-${amphoraId.toLowerCase()}`;
  }

  createAmphora(req: CreateAmphoraRequest): Promise<AmphoraHandle> {
    this.amphorae.add(req.amphoraId.toLowerCase());
    return Promise.resolve({ amphoraId: req.amphoraId, computeId: this.nsName(req.amphoraId), pid: 0 });
  }

  deleteAmphora(amphoraId: string): Promise<void> {
    this.amphorae.delete(amphoraId.toLowerCase());
    this.opts.onDelete?.(amphoraId);
    return Promise.resolve();
  }

  listAmphorae(): Promise<string[]> {
    return Promise.resolve([...this.amphorae].sort());
  }

  async cleanupAll(): Promise<void> {
    for (const id of await this.listAmphorae()) await this.deleteAmphora(id);
  }
}
