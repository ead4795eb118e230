// The spans a report period is read from, the ISO week labels, and the percentiles worked out
// from the cells' business times (the same arithmetic as PostgreSQL's percentile_cont).
import fc from 'fast-check';
import { isoWeekStart, percentileCont } from '../../services/scorecards/report';
import { isoWeekLabel, mondayOf, planSpans } from '../../services/scorecards/spans';

const DAY = 86_400_000;
const days = (from: string, to: string) => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};
/** Every day a span list covers. */
const covered = (spans: ReturnType<typeof planSpans>) =>
  spans.flatMap((s) => (s.span === 'day' ? [s.start] : days(s.start, new Date(Date.parse(`${s.start}T00:00:00Z`) + 6 * DAY).toISOString().slice(0, 10))));

describe('planSpans', () => {
  test('reads whole weeks as weeks and the days of a week cut by the period as days', () => {
    // Wednesday 4 to Tuesday 17 November 2026.
    expect(planSpans('2026-11-04', '2026-11-17', false)).toEqual([
      ...['2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08'].map((start) => ({ span: 'day', start, week: '2026-11-02' })),
      { span: 'week', start: '2026-11-09', week: '2026-11-09' },
      { span: 'day', start: '2026-11-16', week: '2026-11-16' },
      { span: 'day', start: '2026-11-17', week: '2026-11-16' },
    ]);
  });

  test('reads the last week whole when the period ends after now, never the first', () => {
    expect(planSpans('2026-11-04', '2026-11-17', true).slice(-2)).toEqual([
      { span: 'week', start: '2026-11-09', week: '2026-11-09' },
      { span: 'week', start: '2026-11-16', week: '2026-11-16' },
    ]);
    expect(planSpans('2026-11-04', '2026-11-04', true)).toEqual([{ span: 'day', start: '2026-11-04', week: '2026-11-02' }]);
  });

  test('covers every day of any period exactly once, each span inside the week it names', () => {
    const day = fc.integer({ min: 0, max: 3000 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * DAY).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 120 }), (from, length) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + length * DAY).toISOString().slice(0, 10);
        const spans = planSpans(from, to, false);
        expect(covered(spans)).toEqual(days(from, to));
        for (const span of spans) expect(mondayOf(span.start)).toBe(span.week);
      }),
    );
  });
});

describe('isoWeekLabel', () => {
  test('names the ISO week, across year ends', () => {
    expect(isoWeekLabel('2026-11-02')).toBe('2026-W45');
    expect(isoWeekLabel('2026-12-28')).toBe('2026-W53');
    expect(isoWeekLabel('2024-12-30')).toBe('2025-W01');
    expect(isoWeekLabel('2021-01-04')).toBe('2021-W01');
  });

  test('is the inverse of isoWeekStart for every Monday', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), (n) => {
        const monday = new Date(Date.UTC(2020, 0, 6) + n * 7 * DAY).toISOString().slice(0, 10);
        expect(isoWeekStart(isoWeekLabel(monday))).toBe(monday);
      }),
    );
  });
});

describe('percentileCont', () => {
  test('interpolates between the two nearest ranks', () => {
    const sorted = Float64Array.from([10, 30, 45, 3000]);
    expect(percentileCont(sorted, 0.5)).toBe(37.5);
    expect(percentileCont(sorted, 0.9)).toBeCloseTo(45 + 0.7 * 2955, 9);
    expect(percentileCont(Float64Array.from([7]), 0.9)).toBe(7);
    expect(percentileCont(new Float64Array(0), 0.5)).toBeNull();
  });
});
