// The monthly scorecard email's words (activities/notifications/scorecard-template.ts): numbers in
// the recipient's language, changes against the month before with their sign, a lead's own party
// first, and party names from outside shown as text, never as markup; and the month arithmetic of
// the runs (workflows/scorecards/definitions.ts).
import { isMonth, monthBefore, monthDays, previousMonth } from '../../workflows/scorecards/definitions';
import { monthName, renderScorecardEmail, type ScorecardEmailInput, type ScorecardLine } from '../../activities/notifications/scorecard-template';

const MINUTE = 60_000;

function line(partyId: string, partyName: string, current: Partial<ScorecardLine['current']>, previous: Partial<ScorecardLine['current']> | null = null): ScorecardLine {
  const base = { received: 0, acknowledgeOnTimePercent: null, deliverOnTimePercent: null, reviewOnTimePercent: null, acknowledgeMedianMs: null, escalations: 0 };
  return { partyId, partyName, agreement: 'external', current: { ...base, ...current }, previous: previous && { ...base, ...previous } };
}

const input = (overrides: Partial<ScorecardEmailInput>): ScorecardEmailInput => ({
  recipient: { name: 'Mara', locale: 'en' },
  month: '2026-11',
  ownParty: null,
  lines: [],
  comparison: true,
  reportsUrl: 'https://handoff.example/reports?from=2026-11-01&to=2026-11-30',
  ...overrides,
});

test('months are named in the recipient language', () => {
  expect(monthName('2026-11', 'en')).toBe('November 2026');
  expect(monthName('2026-03', 'de')).toBe('März 2026');
  expect(monthName('2027-01', 'de')).toBe('Januar 2027');
});

test('changes against the month before carry their sign; a figure without a before shows alone', () => {
  const lines = [
    line('a', 'Alpha', { received: 4, acknowledgeOnTimePercent: 75, deliverOnTimePercent: 50, reviewOnTimePercent: 100, acknowledgeMedianMs: 90 * MINUTE, escalations: 1 }, { received: 6, acknowledgeOnTimePercent: 80, deliverOnTimePercent: 50, reviewOnTimePercent: null, acknowledgeMedianMs: 30 * MINUTE, escalations: 3 }),
    line('b', 'Beta', { received: 1 }),
  ];
  const en = renderScorecardEmail(input({ lines })).text;
  expect(en).toContain('Alpha (SLA)\n  Briefs: 4 (−2)\n  Acknowledged on time: 75.0 % (−5.0 pts)\n  Delivered on time: 50.0 % (±0.0 pts)\n  Reviewed on time: 100.0 %\n  Median time to acknowledge: 1 h 30 min (+1 h)\n  Escalations: 1 (−2)');
  expect(en).toContain('Beta (SLA)\n  Briefs: 1\n  Acknowledged on time: –\n');
  const de = renderScorecardEmail(input({ recipient: { name: 'Greta', locale: 'de' }, lines })).text;
  expect(de).toContain('Rechtzeitig bestätigt: 75,0 % (−5,0 Pkt.)');
  expect(de).toContain('Median bis zur Bestätigung: 1 Std. 30 Min. (+1 Std.)');
});

test("a lead who is also a manager gets the own party first, then the comparison; a lead alone only the party's", () => {
  const lines = [line('a', 'Alpha', { received: 2 }), line('b', 'Beta', { received: 1 })];
  const both = renderScorecardEmail(input({ ownParty: { id: 'b', name: 'Beta' }, lines })).text;
  expect(both.indexOf('Beta\n----')).toBeGreaterThan(0);
  expect(both.indexOf('Beta\n----')).toBeLessThan(both.indexOf('All parties'));
  const lead = renderScorecardEmail(input({ ownParty: { id: 'b', name: 'Beta' }, lines: [lines[1]], comparison: false }));
  expect(lead.subject).toBe("[Handoff] Beta's scorecard for November 2026");
  expect(lead.text).not.toContain('All parties');
  expect(renderScorecardEmail(input({ ownParty: { id: 'c', name: 'Gamma' }, lines: [], comparison: false })).text).toContain('No briefs were created in this month.');
});

test('party names are text in the HTML, and only web links become links', () => {
  const hostile = renderScorecardEmail(input({ lines: [line('x', '<img src=x onerror=alert(1)>', { received: 1 })] }));
  expect(hostile.html).not.toContain('<img');
  expect(hostile.html).toContain('&lt;img src=x onerror=alert(1)&gt; (SLA)');
  expect(renderScorecardEmail(input({ reportsUrl: 'javascript:alert(1)' })).html).not.toContain('href="javascript');
});

test('the month a run reports: the calendar month (UTC) before its scheduled start, with its first and last day', () => {
  expect(monthBefore(new Date('2026-12-01T06:00:00Z'))).toBe('2026-11');
  expect(monthBefore(new Date('2027-01-01T06:00:00Z'))).toBe('2026-12');
  expect(monthBefore(new Date('2026-03-31T23:59:59Z'))).toBe('2026-02');
  expect(previousMonth('2027-01')).toBe('2026-12');
  expect(previousMonth('2026-10')).toBe('2026-09');
  expect(monthDays('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  expect(monthDays('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
  expect(monthDays('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  expect(['2026-11', '2026-13', '2026-1', 'x'].map(isMonth)).toEqual([true, false, false, false]);
});
