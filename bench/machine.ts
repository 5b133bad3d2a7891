// What a benchmark result records about the machine it ran on.
import { cpus, release } from 'node:os';
import { haproxyVersion } from './dataplane/haproxy.js';

export function machineFacts(): { cpu: string; kernel: string; node: string; haproxy: string } {
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    kernel: release(),
    node: process.version,
    haproxy: haproxyVersion(),
  };
}
