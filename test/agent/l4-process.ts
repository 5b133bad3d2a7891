// Talking to the l4-* fixtures: a child process that prints one line (mostly JSON) per
// event, read in order with bounded waits.
import type { ChildProcess } from 'node:child_process';

export class JsonLines {
  private readonly lines: string[] = [];
  private consumed = 0;
  private stderr = '';
  private partial = '';
  private waiters: (() => void)[] = [];

  constructor(
    readonly child: ChildProcess,
    private readonly what: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => {
      const parts = (this.partial + d.toString()).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts.filter(Boolean));
      this.wake();
    });
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.once('exit', () => this.wake());
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The next unread line matching `match`, skipping the others; bounded by `ms`. */
  private async take(match: (line: string) => boolean, describe: string, ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.consumed < this.lines.length) {
        const line = this.lines[this.consumed++]!;
        if (match(line)) return line;
      }
      const left = deadline - Date.now();
      if (this.exited || left <= 0)
        throw new Error(
          `${this.what}: ${this.exited ? 'exited' : 'timed out'} waiting for ${describe}` +
            ` (last lines: ${this.lines.slice(-3).join(' | ')}; stderr: ${this.stderr.slice(-500)})`,
        );
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  /** The next JSON line that has property `key`. */
  async next<T>(key: string, ms = 20_000): Promise<T> {
    const line = await this.take(
      (l) => l.startsWith('{') && Object.hasOwn(JSON.parse(l) as object, key),
      `a line with "${key}"`,
      ms,
    );
    return JSON.parse(line) as T;
  }

  /** The next line matching `re`. */
  raw(re: RegExp, ms = 20_000): Promise<string> {
    return this.take((l) => re.test(l), String(re), ms);
  }

  /** Wait for `{"progress": n}` with n >= `atLeast`; returns n. */
  async progress(atLeast: number, ms = 30_000): Promise<number> {
    const deadline = Date.now() + ms;
    for (;;) {
      const { progress } = await this.next<{ progress: number }>(
        'progress',
        Math.max(1, deadline - Date.now()),
      );
      if (progress >= atLeast) return progress;
    }
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  end(): void {
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
  }
}
