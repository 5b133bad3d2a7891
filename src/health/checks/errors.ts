/**
 * A health monitor the agent cannot run as given. `field` names the HealthMonitor (or
 * Member) field at fault, so a config validator can prefix its own path:
 * `pools[2].health_monitor.${field}`.
 */
export class HealthMonitorError extends Error {
  override readonly name = 'HealthMonitorError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
