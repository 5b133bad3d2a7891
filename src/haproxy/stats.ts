// `show info;show stat` from the admin socket -> operating status and counters per listener,
// pool and member. Proxy names are our ids: frontend = listener id, backend =
// `<pool id>:<listener id>`, server = member id.

export interface HaproxyObjectStatus {
  id: string;
  status: string; // ONLINE | OFFLINE | ERROR | DRAINING | NO_MONITOR | DEGRADED
  bytesIn: number;
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
  requestErrors: number;
}

export interface StatRow {
  pxname: string;
  svname: string; // FRONTEND, BACKEND or the server name
  status: string;
  weight: number;
  bin: number;
  bout: number;
  scur: number;
  stot: number;
  ereq: number;
  econ: number;
  eresp: number;
}

const NUMERIC = ['weight', 'bin', 'bout', 'scur', 'stot', 'ereq', 'econ', 'eresp'] as const;

/** The worker's pid from `show info` (counters restart with every worker). */
export function parseInfoPid(text: string): number | undefined {
  const m = /^Pid: (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `show stat` CSV, columns found by the header line. */
export function parseShowStat(text: string): StatRow[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('# pxname,'));
  if (at < 0) return [];
  const columns = lines[at]!.slice(2).split(',');
  const col = new Map(columns.map((name, i) => [name, i]));
  const rows: StatRow[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line || line.startsWith('#')) continue;
    const cells = line.split(',');
    const cell = (name: string): string => cells[col.get(name) ?? -1] ?? '';
    const row = { pxname: cell('pxname'), svname: cell('svname'), status: cell('status') } as StatRow;
    for (const name of NUMERIC) row[name] = Number(cell(name)) || 0;
    rows.push(row);
  }
  return rows;
}

/** Octavia's reading of HAProxy's states (octavia/amphorae/backends/health_daemon). */
export function listenerStatus(row: StatRow | undefined): string {
  if (!row || row.status === 'STOP') return 'OFFLINE';
  return row.status === 'FULL' ? 'DEGRADED' : 'ONLINE';
}

export function memberStatus(row: StatRow | undefined): string {
  if (!row) return 'OFFLINE';
  const s = row.status;
  if (s.startsWith('MAINT')) return 'OFFLINE';
  if (s.startsWith('DOWN')) return 'ERROR'; // DOWN, or DOWN 1/2 while rising
  if (s === 'DRAIN' || s.startsWith('NOLB') || row.weight === 0) return 'DRAINING';
  if (s === 'no check') return 'NO_MONITOR';
  return 'ONLINE'; // UP, or UP 1/3 while falling
}

export function poolStatus(backend: StatRow | undefined, memberStatuses: string[]): string {
  if (!backend || backend.status === 'STOP') return 'OFFLINE';
  if (backend.status.startsWith('DOWN')) return 'ERROR';
  return memberStatuses.includes('ERROR') ? 'DEGRADED' : 'ONLINE';
}

// When one object has several rows (a pool behind two listeners), the worst status wins.
const SEVERITY = ['ERROR', 'DEGRADED', 'DRAINING', 'NO_MONITOR', 'ONLINE', 'OFFLINE'];

export function worstStatus(a: string, b: string): string {
  return SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b;
}
