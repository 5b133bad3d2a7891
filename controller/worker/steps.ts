// Small named steps with revert over a typed context, and the runner that undoes the
// steps already run, newest first, when one fails (Octavia's taskflow, without the
// string-keyed wiring). The failing step is reverted too: it may have done part of
// its work, so every revert must tolerate work that never happened.

export interface Step<C> {
  name: string;
  run(ctx: C): Promise<void>;
  revert?(ctx: C): Promise<void>;
}

export class FlowError extends Error {
  constructor(
    readonly flow: string,
    readonly step: string,
    override readonly cause: unknown,
    /** Reverts that failed too (logged; they do not hide the original error). */
    readonly revertErrors: { step: string; error: unknown }[],
  ) {
    super(`${flow}: step ${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'FlowError';
  }
}

export interface FlowLog {
  info(msg: string): void;
  error(msg: string): void;
}

const silent: FlowLog = { info: () => undefined, error: () => undefined };

export async function runFlow<C>(
  flow: string,
  steps: Step<C>[],
  ctx: C,
  log: FlowLog = silent,
): Promise<void> {
  const started: Step<C>[] = [];
  for (const step of steps) {
    started.push(step);
    try {
      log.info(`${flow}: ${step.name}`);
      await step.run(ctx);
    } catch (err) {
      log.error(`${flow}: ${step.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      const revertErrors: FlowError['revertErrors'] = [];
      for (const done of started.reverse()) {
        if (!done.revert) continue;
        try {
          await done.revert(ctx);
        } catch (revertErr) {
          log.error(`${flow}: revert of ${done.name} failed: ${String(revertErr)}`);
          revertErrors.push({ step: done.name, error: revertErr });
        }
      }
      throw new FlowError(flow, step.name, err, revertErrors);
    }
  }
}
