// The scorecards' CSV writer: RFC 4180 quoting, the formula guard, the byte order mark and CRLF,
// and the separators and decimals each language's spreadsheet programs expect.
import { csvCell, csvDocument, scorecardBriefsCsv } from '../../api/services/scorecards-csv';
import type { ScorecardBriefRow } from '../../services/scorecards/report';

describe('csvCell', () => {
  test.each([
    ['=SUM(A1:A9)', ',', "'=SUM(A1:A9)"],
    ['+49 30 1234', ',', "'+49 30 1234"],
    ['-1', ',', "'-1"],
    ['@cmd', ',', "'@cmd"],
    ['\tindented', ',', "'\tindented"],
    ['\rcarriage', ',', `"'\rcarriage"`],
    ['plain title', ',', 'plain title'],
    ['a, b', ',', '"a, b"'],
    ['a, b', ';', 'a, b'],
    ['a; b', ';', '"a; b"'],
    ['say "hi"', ';', '"say ""hi"""'],
    ['two\nlines', ',', '"two\nlines"'],
    ['=1+1, "x"', ',', `"'=1+1, ""x"""`],
    ['', ',', ''],
  ])('%j with %j is %j', (value, separator, expected) => {
    expect(csvCell(value, separator)).toBe(expected);
  });
});

describe('csvDocument', () => {
  test('starts with a byte order mark and ends every line with CRLF, numbers with the language\'s decimal mark', () => {
    expect(csvDocument('en', ['Name', 'Share'], [['Pixelwerk', 0.5], ['Nord, Süd', null]])).toBe('\uFEFFName,Share\r\nPixelwerk,0.5\r\n"Nord, Süd",\r\n');
    expect(csvDocument('de', ['Name', 'Anteil'], [['Pixelwerk', 0.5], ['Nord, Süd', null]])).toBe('\uFEFFName;Anteil\r\nPixelwerk;0,5\r\nNord, Süd;\r\n');
  });
});

describe('scorecardBriefsCsv', () => {
  const row: ScorecardBriefRow = {
    briefId: 'b1',
    title: '@SUM(1)',
    status: 'approved',
    priority: 'P2',
    agreement: 'internal',
    createdAt: '2026-11-02T09:00:00.000Z',
    outcome: 'approved',
    rounds: 2,
    clarifications: 1,
    heldMs: 5_400_000,
    acknowledge: { steps: 1, done: 1, late: 0, businessMs: 900_000, open: false },
    deliver: { steps: 2, done: 2, late: 1, businessMs: 36_000_000, open: false },
    review: null,
    answerMedianMs: null,
    programId: null,
    escalations: [
      { level: 1, count: 2 },
      { level: 2, count: 1 },
    ],
  };

  test('gives durations in business hours with two decimals, empty cells for steps a brief did not have', () => {
    const [header, line] = scorecardBriefsCsv([row], 'en').slice(1).split('\r\n');
    expect(header.split(',')).toHaveLength(18);
    expect(line).toBe("b1,'@SUM(1),approved,P2,internal (OLA),2026-11-02T09:00:00.000Z,approved,2,1,1.50,0.25,0,10.00,1,,,,3");
    const [germanHeader, germanLine] = scorecardBriefsCsv([row], 'de').slice(1).split('\r\n');
    expect(germanHeader.split(';')[0]).toBe('Briefing');
    expect(germanLine).toBe("b1;'@SUM(1);approved;P2;intern (OLA);2026-11-02T09:00:00.000Z;abgenommen;2;1;1,50;0,25;0;10,00;1;;;;3");
  });
});
