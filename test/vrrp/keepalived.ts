// keepalived for the VRRP tests: fail, naming it, where it is not installed.
import { sh } from '../lib/netns.js';

export function requireKeepalived(): void {
  try {
    sh('keepalived', ['--version']);
  } catch {
    throw new Error('these tests need keepalived on PATH (apt-get install keepalived)');
  }
}
