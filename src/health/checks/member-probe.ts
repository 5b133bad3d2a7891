// The probe loop of one member: probes never overlap, start every `delay` (or as soon as the
// previous one ends if it took longer), and feed the rise/fall state machine. The first
// probe is placed by the caller (jittered) so that many members do not fire together.
import type { ProbeSpec } from './monitor.js';
import { failed, type ProbeResult } from './probe-result.js';
import { afterProbe, initialRiseFall, type ProbedHealth, type RiseFallState } from './rise-fall.js';

/** Runs one probe, possibly after waiting for a concurrency slot; undefined if it never ran. */
export type ProbeRunner = (spec: ProbeSpec, stop: AbortSignal) => Promise<ProbeResult | undefined>;

export type ResultListener = (probe: MemberProbe, result: ProbeResult, before: ProbedHealth) => void;

export class MemberProbe {
  private state: RiseFallState;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly stopper = new AbortController();

  constructor(
    readonly memberId: string,
    readonly spec: ProbeSpec,
    initial: ProbedHealth,
    private readonly runner: ProbeRunner,
    private readonly onResult: ResultListener,
  ) {
    this.state = initialRiseFall(initial);
  }

  get status(): ProbedHealth {
    return this.state.status;
  }

  start(firstProbeInMs: number): void {
    this.schedule(firstProbeInMs);
  }

  /** No further probe starts; an in-flight one is aborted and its result ignored. */
  stop(): Promise<void> {
    this.stopper.abort();
    clearTimeout(this.timer);
    return this.inFlight;
  }

  private schedule(inMs: number): void {
    if (this.stopper.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.probeOnce();
    }, inMs);
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    const startedAt = Date.now();
    let result: ProbeResult | undefined;
    try {
      result = await this.runner(this.spec, this.stopper.signal);
    } catch (err) {
      result = failed(err); // probes do not throw; a bug should still count as a failure, not kill the loop
    }
    if (this.stopper.signal.aborted || !result) return;
    const before = this.state.status;
    this.state = afterProbe(this.state, result.ok, this.spec);
    this.onResult(this, result, before);
    this.schedule(Math.max(0, startedAt + this.spec.delayMs - Date.now()));
  }
}
