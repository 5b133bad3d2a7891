// The files of one HAProxy instance, all inside the agent's run directory for it.
import { join } from 'node:path';

export interface HaproxyPaths {
  runDir: string;
  config: string;
  adminSocket: string; // stats socket, level admin; passes the listening sockets on reload
  masterSocket: string; // master CLI: show proc
  pidFile: string; // the master's pid, to adopt a master left running by a previous agent
  pingScript: string; // external check for PING monitors
  tlsDir: string; // certificates, keys, CAs and CRLs (0700 directory, 0600 files)
  serverStateFile: string; // `show servers state` of the old worker, loaded by the new one on reload
}

export function haproxyPaths(runDir: string): HaproxyPaths {
  return {
    runDir,
    config: join(runDir, 'haproxy.cfg'),
    adminSocket: join(runDir, 'haproxy.sock'),
    masterSocket: join(runDir, 'master.sock'),
    pidFile: join(runDir, 'haproxy.pid'),
    pingScript: join(runDir, 'ping-check.sh'),
    tlsDir: join(runDir, 'tls'),
    serverStateFile: join(runDir, 'server-state'),
  };
}

/**
 * HAProxy runs this for each member of a PING pool: `$3` is the member's address. HAProxy
 * kills it when `timeout check` expires, so ping's own wait only needs to be long enough.
 */
export const PING_SCRIPT = `#!/bin/sh
# Written by velox-agent: the external check of PING health monitors (Octavia's ping-wrapper).
exec ping -n -q -c 1 -W 60 "$3" >/dev/null 2>&1
`;
