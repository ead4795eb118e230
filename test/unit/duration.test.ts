import fc from 'fast-check';
import { formatDuration, isDuration, isSlaTarget, parseDuration } from '../../workflows/domain/duration';
import { DAY, HOUR, MINUTE, SECOND } from './fixtures';

describe('parseDuration', () => {
  it.each([
    ['PT4H', 4 * HOUR],
    ['PT30S', 30 * SECOND],
    ['P2D', 2 * DAY],
    ['P1W', 7 * DAY],
    ['PT1H30M', HOUR + 30 * MINUTE],
    ['PT0.5S', 500],
    ['PT0S', 0],
    ['P1DT12H', DAY + 12 * HOUR],
    ['PT1.5H', HOUR + 30 * MINUTE],
    ['P1W2DT3H4M5S', 9 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND],
  ])('reads %s as %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
    expect(isDuration(text)).toBe(true);
  });

  it.each([
    ['', 'the empty string'],
    ['P', 'a bare P'],
    ['PT', 'a bare PT'],
    ['P1DT', 'a trailing T without time parts'],
    ['P1M', 'months (variable length)'],
    ['P1Y', 'years (variable length)'],
    ['4h', 'a shorthand that is not ISO 8601'],
    ['pt4h', 'lower case'],
    ['PT4H ', 'trailing whitespace'],
    ['PT4H\n', 'a trailing newline'],
    ['-PT4H', 'a negative duration'],
    ['PT.5S', 'a fraction without a leading digit'],
    ['P1H', 'an hour outside the time part'],
    ['PT4H2D', 'parts out of order'],
  ])('rejects %j (%s)', (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(isDuration(text)).toBe(false);
  });

  it('rounds sub-millisecond fractions to whole milliseconds', () => {
    expect(parseDuration('PT0.0004S')).toBe(0);
    expect(parseDuration('PT0.0006S')).toBe(1);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, 'PT0S'],
    [500, 'PT0.5S'],
    [30 * SECOND, 'PT30S'],
    [4 * HOUR, 'PT4H'],
    [HOUR + 30 * MINUTE, 'PT1H30M'],
    [2 * DAY, 'P2D'],
    [7 * DAY, 'P7D'],
    [DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 5, 'P1DT2H3M4.005S'],
    [1, 'PT0.001S'],
  ])('renders %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('clamps negative amounts to PT0S', () => {
    expect(formatDuration(-5 * SECOND)).toBe('PT0S');
  });

  it('rounds fractional milliseconds', () => {
    expect(formatDuration(1499.6)).toBe('PT1.5S');
  });

  it('round-trips through parseDuration for any integer number of milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ms) => {
        const text = formatDuration(ms);
        const parsed = parseDuration(text);
        expect(parsed).toBe(ms);
        expect(formatDuration(parsed as number)).toBe(text);
      }),
    );
  });

  it('round-trips amounts below one minute, where fractional seconds appear', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MINUTE - 1 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('isSlaTarget', () => {
  it.each([
    ['PT1S', true],
    ['PT4H', true],
    ['P3650D', true],
    ['PT0S', false],
    ['PT0.5S', false],
    ['P3651D', false],
    ['P99999999999999999999D', false],
    ['4h', false],
  ])('%s is a valid SLA target: %s', (text, expected) => {
    expect(isSlaTarget(text)).toBe(expected);
  });
});
