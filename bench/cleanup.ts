// The teardown of a benchmark that runs a controller and namespaces: the same on success,
// failure and Ctrl-C (SIGINT/SIGTERM; bounded: exit anyway after 20 s), and run once.
const SIGNAL_EXIT_MS = 20_000;

/** Registers the signal handlers; call the returned function in `finally` (it removes them). */
export function cleanupOnExit(teardown: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => (running ??= teardown());
  const onSignal = (): void => {
    setTimeout(() => process.exit(130), SIGNAL_EXIT_MS).unref();
    void run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return run();
  };
}
