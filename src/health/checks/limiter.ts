// At most `max` tasks at once; the rest wait in FIFO order. A finishing task hands its slot
// straight to the next waiter. clear() drops the waiters (their tasks never run).

export class Limiter {
  private running = 0;
  private readonly waiting: ((start: boolean) => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`concurrency limit ${max} is not a positive integer`);
  }

  /** Runs `task` when a slot is free; resolves undefined if cleared before it started. */
  async run<T>(task: () => Promise<T>): Promise<T | undefined> {
    if (this.running < this.max) this.running++;
    else if (!(await new Promise<boolean>((resolve) => this.waiting.push(resolve)))) return undefined;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next(true);
      else this.running--;
    }
  }

  /** Drops every waiting task. */
  clear(): void {
    for (const waiter of this.waiting.splice(0)) waiter(false);
  }

  get active(): number {
    return this.running;
  }
}
