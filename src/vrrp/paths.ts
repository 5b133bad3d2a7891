// The files of one keepalived instance, all inside the agent's state directory, so two
// amphorae on one machine (or one amphora's successive agents) never share a file.
import { join } from 'node:path';

export interface KeepalivedPaths {
  runDir: string;
  config: string; // keepalived.conf, rendered by renderKeepalived()
  pidFile: string; // the parent process: adopted by a restarted agent, signalled to reload/stop
  vrrpPidFile: string; // the VRRP child
  checkScript: string; // vrrp_script: is this amphora serving?
  notifyScript: string; // notify: writes keepalived's state for the agent
  servingFile: string; // "ok <epoch s>" or "fail <epoch s> <reason>", rewritten by the agent every second
  stateFile: string; // MASTER | BACKUP | FAULT | STOP, written by the notify script
  logFile: string; // keepalived's own log (not a pipe to the agent: it outlives the agent)
}

export function keepalivedPaths(runDir: string): KeepalivedPaths {
  return {
    runDir,
    config: join(runDir, 'keepalived.conf'),
    pidFile: join(runDir, 'keepalived.pid'),
    vrrpPidFile: join(runDir, 'vrrp.pid'),
    checkScript: join(runDir, 'check.sh'),
    notifyScript: join(runDir, 'notify.sh'),
    servingFile: join(runDir, 'serving'),
    stateFile: join(runDir, 'state'),
    logFile: join(runDir, 'keepalived.log'),
  };
}

/** Seconds after which the serving file counts as stale: the agent is dead or stuck. */
export const SERVING_STALE_S = 3;

/**
 * keepalived's vrrp_script: cheap (it runs every check_interval). Passes while the agent
 * keeps rewriting the serving file (every second) and says its data plane serves.
 */
export function checkScript(paths: KeepalivedPaths): string {
  return `#!/bin/sh
# Written by velox-agent: keepalived's check. Fails when the agent is dead (stale file)
# or reports that its data plane (XDP, HAProxy) is not serving.
read -r verdict stamp rest < '${paths.servingFile}' || exit 1
[ "$verdict" = ok ] || exit 1
[ $(( $(date +%s) - stamp )) -le ${SERVING_STALE_S} ] || exit 1
exit 0
`;
}

/** keepalived's notify: called as `notify.sh INSTANCE NAME STATE PRIORITY`. */
export function notifyScript(paths: KeepalivedPaths): string {
  return `#!/bin/sh
# Written by velox-agent: records keepalived's state for the agent (GetStatus, heartbeats).
printf '%s\\n' "$3" > '${paths.stateFile}.tmp' && mv -f '${paths.stateFile}.tmp' '${paths.stateFile}'
`;
}
