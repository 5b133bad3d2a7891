// Member weight and admin state changes without a reload: when two rendered configs differ
// only in `weight N` and `disabled` on server lines, HAProxy's runtime API can make the
// running worker match the new file (`set server B/S weight N`, `set server B/S state
// ready|maint`): connections, stick tables and counters are kept. Anything else reloads.

const WEIGHT = / weight (\d+)(?= |$)/;

interface ServerLine {
  rest: string; // the line without its weight and `disabled`
  weight: number;
  disabled: boolean;
}

function serverLine(line: string): ServerLine | undefined {
  if (!line.startsWith('    server ')) return undefined;
  const words = line.split(' ');
  const disabled = words[words.length - 1] === 'disabled';
  const body = disabled ? line.slice(0, -' disabled'.length) : line;
  const w = WEIGHT.exec(body);
  if (!w) return undefined;
  return { rest: body.replace(WEIGHT, ''), weight: Number(w[1]), disabled };
}

/**
 * The runtime commands that turn a worker running `live` into one running `next`, or
 * undefined when a reload is needed (or nothing changed: []).
 */
export function runtimeCommands(live: string, next: string): string[] | undefined {
  const a = live.split('\n');
  const b = next.split('\n');
  if (a.length !== b.length) return undefined;
  const commands: string[] = [];
  let backend: string | undefined;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.startsWith('backend ') || x.startsWith('frontend ') || x === 'global' || x === 'defaults') {
      backend = x.startsWith('backend ') ? x.slice('backend '.length) : undefined;
    }
    if (x === y) continue;
    const sx = serverLine(x);
    const sy = serverLine(y);
    if (!sx || !sy || backend === undefined || sx.rest !== sy.rest) return undefined;
    // Server names are ids that passed nameToken: one word, safe on the CLI.
    const server = `${backend}/${sx.rest.trim().split(' ')[1]}`;
    if (sx.weight !== sy.weight) commands.push(`set server ${server} weight ${sy.weight}`);
    if (sx.disabled !== sy.disabled)
      commands.push(`set server ${server} state ${sy.disabled ? 'maint' : 'ready'}`);
  }
  return commands;
}
