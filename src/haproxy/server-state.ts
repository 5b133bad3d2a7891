// The server state a reload carries over (HAProxy's server-state-file, as Octavia uses it):
// the old worker's `show servers state`, cut down to what the new worker should believe.
// It keeps what only HAProxy knows, a member its health checks found DOWN (and its check
// counters), so the member does not start UP again in the new worker. What the amphora
// config says wins over the dump: weights and admin state are rewritten to the new file's
// (HAProxy would otherwise keep a weight set at runtime when the file's weight did not
// change), and a member is carried only when its server line is the same in both files
// apart from weight and `disabled`, it is checked, and it is not disabled. HAProxy applies
// the dumped port and TLS flag unconditionally, so a changed member must not be carried.

/** A state file with no servers: what HAProxy loads at a first start or a restart. */
export const EMPTY_SERVER_STATE = '1\n';

interface ServerEntry {
  line: string; // the server line without its weight and `disabled`
  weight: number;
  disabled: boolean;
  checked: boolean;
}

/** Servers per `<backend>/<server>` of a rendered config. */
function serversOf(config: string): Map<string, ServerEntry> {
  const servers = new Map<string, ServerEntry>();
  let backend: string | undefined;
  for (const line of config.split('\n')) {
    if (!line.startsWith(' ')) {
      backend = line.startsWith('backend ') ? line.slice('backend '.length) : undefined;
      continue;
    }
    if (backend === undefined || !line.startsWith('    server ')) continue;
    const words = line.trim().split(' ');
    const disabled = words[words.length - 1] === 'disabled';
    if (disabled) words.pop();
    const at = words.indexOf('weight');
    const weight = at > 0 ? Number(words[at + 1]) : 1;
    if (at > 0) words.splice(at, 2);
    servers.set(`${backend}/${words[1]}`, {
      line: words.join(' '),
      weight,
      disabled,
      checked: words.includes('check'),
    });
  }
  return servers;
}

/**
 * The state file for reloading from `live` (the config the old worker runs) to `next`,
 * from the old worker's `show servers state` answer. Anything unexpected in the dump gives
 * the empty state: starting fresh is always safe, a wrong state is not.
 */
export function serverStateForReload(dump: string, live: string, next: string): string {
  const lines = dump.split('\n');
  if (lines[0]?.trim() !== '1' || !lines[1]?.startsWith('# ')) return EMPTY_SERVER_STATE;
  const columns = lines[1].slice(2).trim().split(' ');
  const col = (name: string) => columns.indexOf(name);
  const [backendCol, serverCol, adminCol, uweightCol, iweightCol] = [
    col('be_name'),
    col('srv_name'),
    col('srv_admin_state'),
    col('srv_uweight'),
    col('srv_iweight'),
  ];
  if ([backendCol, serverCol, adminCol, uweightCol, iweightCol].some((c) => c < 0)) return EMPTY_SERVER_STATE;
  const before = serversOf(live);
  const after = serversOf(next);
  const kept: string[] = [];
  for (const line of lines.slice(2)) {
    const fields = line.trim().split(' ');
    if (line.trim() === '' || line.startsWith('#') || fields.length !== columns.length) continue;
    const key = `${fields[backendCol]}/${fields[serverCol]}`;
    const old = before.get(key);
    const now = after.get(key);
    if (!old || !now || old.line !== now.line || !now.checked || now.disabled) continue;
    fields[adminCol] = '0'; // not disabled (checked above): no maintenance, no drain
    fields[uweightCol] = String(now.weight);
    fields[iweightCol] = String(now.weight);
    kept.push(fields.join(' '));
  }
  return [lines[0], lines[1], ...kept, ''].join('\n');
}
