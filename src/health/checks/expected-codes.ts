// Octavia's expected_codes: "200", "200,202", "200-204". Octavia's API accepts a list or
// one range; lists mixing ranges ("200,300-302") are accepted here too since a range is
// just a shorthand for its codes.
import { HealthMonitorError } from './errors.js';

export type CodeRange = readonly [low: number, high: number];

const CODE = /^[1-5]\d\d$/;

function code(text: string, whole: string): number {
  if (!CODE.test(text))
    throw new HealthMonitorError(
      'expected_codes',
      `"${whole}": ${text || 'empty'} is not an HTTP status code (100-599)`,
    );
  return Number(text);
}

/** Parses expected_codes into inclusive ranges; empty means Octavia's default, 200. */
export function parseExpectedCodes(text: string): CodeRange[] {
  if (text.trim() === '') return [[200, 200]];
  return text.split(',').map((part) => {
    const bounds = part.trim().split('-');
    if (bounds.length > 2)
      throw new HealthMonitorError('expected_codes', `"${text}": "${part.trim()}" is not a code or a range`);
    const low = code(bounds[0]!.trim(), text);
    const high = bounds.length === 2 ? code(bounds[1]!.trim(), text) : low;
    if (high < low)
      throw new HealthMonitorError('expected_codes', `"${text}": range ${low}-${high} is reversed`);
    return [low, high] as const;
  });
}

export function codeExpected(ranges: readonly CodeRange[], status: number): boolean {
  return ranges.some(([low, high]) => status >= low && status <= high);
}
