// Business calendars through the running API: create, list (the built-in 24x7 first), read,
// change (the version counts changes), .ics holiday import, validation naming the field, and
// who may do what.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { HOSTILE_ICS } from '../support/hostile-ics';
import type { ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

const OFFICE_HOURS = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] };

/** Two one-off all-day holidays, a three-day range, a yearly fixed date, a cancelled event and an unsupported recurrence. */
const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Handoff tests//EN',
  'BEGIN:VEVENT',
  'UID:reformation-2026',
  'SUMMARY:Reformationstag',
  'DTSTART;VALUE=DATE:20261031',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:christmas-2026',
  'SUMMARY:Weihnachten',
  'DTSTART;VALUE=DATE:20261224',
  'DTEND;VALUE=DATE:20261227',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:unity',
  'SUMMARY:Tag der Deutschen',
  '  Einheit',
  'DTSTART;VALUE=DATE:20261003',
  'RRULE:FREQ=YEARLY',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:cancelled',
  'SUMMARY:Betriebsausflug',
  'STATUS:CANCELLED',
  'DTSTART;VALUE=DATE:20260612',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:thanksgiving',
  'SUMMARY:Thanksgiving',
  'DTSTART;VALUE=DATE:20261126',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('calendars', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let admin: ApiClient;
  let manager: Member;
  let watcher: Member;
  let member: Member;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    admin = d.admin;
    const shop = await d.party('Shop', 'ecommerce');
    const agency = await d.party('Pixelwerk', 'agency');
    manager = await d.member(shop, 'manager');
    watcher = await d.member(agency, 'watcher');
    member = await d.member(agency, 'member');
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const create = (body: Record<string, unknown>) => admin.post('/v1/calendars', { name: 'Berlin office', timezone: 'Europe/Berlin', workingHours: OFFICE_HOURS, ...body });
  const patch = (client: ApiClient, id: string, body: unknown) => client.request('PATCH', `/v1/calendars/${id}`, body);
  const importIcs = (id: string, text: string, query = '', type = 'text/calendar') => admin.request('POST', `/v1/calendars/${id}/holidays/import${query}`, text, { 'content-type': type });

  test('an admin creates a calendar with several intervals a day and holidays, sorted and without repeats', async () => {
    const res = await create({ workingHours: { mon: [['09:00', '12:30'], ['13:30', '17:00']], sat: [['10:00', '24:00']] }, holidays: ['2026-12-25', '2026-12-24', '2026-12-25'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/calendars/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Berlin office',
      timezone: 'Europe/Berlin',
      workingHours: { mon: [['09:00', '12:30'], ['13:30', '17:00']], sat: [['10:00', '24:00']] },
      holidays: ['2026-12-24', '2026-12-25'],
      version: 1,
      builtIn: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await watcher.client.get(`/v1/calendars/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  test('lists calendars oldest first, the built-in 24x7 first, page by page', async () => {
    const ids: string[] = [];
    for (const name of ['Hamburg', 'Vienna']) ids.push((await create({ name, timezone: name === 'Vienna' ? 'Europe/Vienna' : 'Europe/Berlin' })).body.id);
    const first = await manager.client.get('/v1/calendars?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      expect.objectContaining({ id: '24x7', name: '24x7', timezone: 'UTC', builtIn: true, version: 1, holidays: [], workingHours: expect.objectContaining({ sun: [['00:00', '24:00']] }) }),
    ]);
    const seen = [...first.body.items];
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const next = await manager.client.get(`/v1/calendars?limit=2&cursor=${cursor}`);
      expect(next.status).toBe(200);
      seen.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    const seenIds = seen.map((c: { id: string }) => c.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect(seenIds.slice(-2)).toEqual(ids);
    expect(seen.filter((c: { builtIn: boolean }) => c.builtIn)).toHaveLength(1);
    expect((await watcher.client.get('/v1/calendars/24x7')).body).toMatchObject({ id: '24x7', builtIn: true });
  });

  test('a change increments the version, writes an audit event with before and after; no change keeps it', async () => {
    const { body: created } = await create({ name: 'Munich' });
    const changed = await patch(admin, created.id, { name: 'Munich office', holidays: ['2026-11-01'], workingHours: { ...OFFICE_HOURS, fri: [['09:00', '15:00']] } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Munich office', timezone: 'Europe/Berlin', holidays: ['2026-11-01'], version: 2, workingHours: { fri: [['09:00', '15:00']] } });
    expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    const same = await patch(admin, created.id, { name: 'Munich office' });
    expect(same.body.version).toBe(2);
    const events = (await admin.get(`/v1/audit?targetType=calendar&targetId=${created.id}`)).body.items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['calendar.updated', 'calendar.created']);
    expect(events[0].before).toMatchObject({ name: 'Munich', version: 1 });
    expect(events[0].after).toMatchObject({ name: 'Munich office', version: 2 });
  });

  test('the built-in 24x7 calendar cannot be changed (409); unknown calendars are 404', async () => {
    expectProblem(await patch(admin, '24x7', { name: 'Mine' }), 409, 'conflict');
    expectProblem(await importIcs('24x7', ICS), 409, 'conflict');
    expectProblem(await admin.get('/v1/calendars/no-such-calendar'), 404, 'not-found');
    expectProblem(await patch(admin, 'no-such-calendar', { name: 'X' }), 404, 'not-found');
    expectProblem(await importIcs('no-such-calendar', ICS), 404, 'not-found');
  });

  test.each([
    ['an unknown time zone', { timezone: 'Europe/Atlantis' }, 'body.timezone'],
    ['intervals out of order', { workingHours: { mon: [['13:00', '17:00'], ['09:00', '12:00']] } }, 'body.workingHours.mon[1]'],
    ['an interval that ends before it starts', { workingHours: { tue: [['17:00', '09:00']] } }, 'body.workingHours.tue[0]'],
    ['no working time at all', { workingHours: { mon: [] } }, 'body.workingHours'],
    ['a date that does not exist', { holidays: ['2026-02-30'] }, 'body.holidays.0'],
    ['a time that is not HH:MM', { workingHours: { mon: [['9:00', '17:00']] } }, 'body.workingHours.mon.0.0'],
    ['an unknown weekday', { workingHours: { monday: [['09:00', '17:00']] } }, 'body.workingHours'],
    ['a blank name', { name: '  ' }, 'body.name'],
  ])('%s answers 400 naming the field', async (_what, body, path) => {
    const res = await create(body);
    expectProblem(res, 400, 'validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  test('a change is validated like a new calendar', async () => {
    const { body: created } = await create({ name: 'Cologne' });
    const res = await patch(admin, created.id, { workingHours: { wed: [['09:00', '12:00'], ['11:00', '15:00']] } });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ path: 'body.workingHours.wed[1]', message: expect.stringContaining('overlap') }]);
    expect((await admin.get(`/v1/calendars/${created.id}`)).body.version).toBe(1);
  });

  test('imports holidays from an .ics file: ranges, yearly recurrences up to untilYear, duplicates and unsupported events reported', async () => {
    const { body: created } = await create({ name: 'Leipzig', holidays: ['2026-12-24'] });
    const res = await importIcs(created.id, ICS, '?untilYear=2028');
    expect(res.status).toBe(200);
    expect(res.body.imported).toEqual(['2026-10-03', '2026-10-31', '2026-12-25', '2026-12-26', '2027-10-03', '2028-10-03']);
    expect(res.body.duplicates).toEqual(['2026-12-24']);
    expect(res.body.unsupported).toEqual([expect.stringContaining('Thanksgiving')]);
    expect(res.body.calendar).toMatchObject({
      id: created.id,
      version: 2,
      holidays: ['2026-10-03', '2026-10-31', '2026-12-24', '2026-12-25', '2026-12-26', '2027-10-03', '2028-10-03'],
    });

    // Again, as text/plain and from 2027 on: nothing new, the version stays.
    const again = await importIcs(created.id, ICS, '?untilYear=2028&fromYear=2027', 'text/plain');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: [], duplicates: ['2027-10-03', '2028-10-03'], calendar: { version: 2 } });
    const events = (await admin.get(`/v1/audit?targetType=calendar&targetId=${created.id}`)).body.items;
    expect(events[0]).toMatchObject({ action: 'calendar.holidays_imported', after: { imported: res.body.imported } });
  });

  test('a strict import refuses a file with an event it cannot read; malformed files answer 400', async () => {
    const { body: created } = await create({ name: 'Dresden' });
    const strict = await importIcs(created.id, ICS, '?strict=true');
    expectProblem(strict, 400, 'validation');
    expect(strict.body.errors).toEqual([{ path: 'body', message: expect.stringContaining('Thanksgiving') }]);
    expectProblem(await importIcs(created.id, 'this is not a calendar'), 400, 'validation');
    expectProblem(await importIcs(created.id, 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:tomorrow\nEND:VEVENT\nEND:VCALENDAR\n'), 400, 'validation');
    const json = await admin.post(`/v1/calendars/${created.id}/holidays/import`, { ics: ICS });
    expectProblem(json, 400, 'validation');
    expectProblem(await importIcs(created.id, ICS, '?untilYear=soon'), 400, 'validation');
    expect((await admin.get(`/v1/calendars/${created.id}`)).body).toMatchObject({ holidays: [], version: 1 });
  });

  test('a hostile .ics of about 1 MB is refused as a whole with 400 naming the limit, and nothing changes', async () => {
    const { body: created } = await create({ name: 'Hostile feeds' });
    const cases: [string, string, RegExp][] = [
      ['oversized', HOSTILE_ICS.oversized(), /1000001 characters, more than 1000000/],
      ['many events', HOSTILE_ICS.manyEvents(), /more than 5000 events/],
      ['long span', HOSTILE_ICS.longSpan(), /spans \d+ days, more than 366/],
      ['many recurrences', HOSTILE_ICS.manyRecurrences(), /more than 200000 dates/],
    ];
    for (const [name, text, problem] of cases) {
      expect(text.length).toBeLessThan(1_048_576);
      const res = await importIcs(created.id, text, '?untilYear=2200');
      expectProblem(res, 400, 'validation');
      expect({ name, errors: res.body.errors }).toEqual({ name, errors: [{ path: 'body', message: expect.stringMatching(problem) }] });
    }
    // An endless secondly recurrence is not expanded: no event can be read, 400.
    const secondly = await importIcs(created.id, HOSTILE_ICS.secondly());
    expectProblem(secondly, 400, 'validation');
    expect(secondly.body.errors).toEqual([{ path: 'body', message: expect.stringContaining('FREQ=SECONDLY') }]);
    expect((await admin.get(`/v1/calendars/${created.id}`)).body).toMatchObject({ holidays: [], version: 1 });
  });

  test('only admins write; members do not read calendars', async () => {
    const { body: created } = await create({ name: 'Bremen' });
    for (const client of [manager.client, watcher.client, member.client]) {
      expectProblem(await client.post('/v1/calendars', { name: 'Mine', timezone: 'UTC', workingHours: OFFICE_HOURS }), 403, 'forbidden');
      expectProblem(await patch(client, created.id, { name: 'Mine' }), 403, 'forbidden');
    }
    expectProblem(await manager.client.request('POST', `/v1/calendars/${created.id}/holidays/import`, ICS, { 'content-type': 'text/calendar' }), 403, 'forbidden');
    expectProblem(await member.client.get('/v1/calendars'), 403, 'forbidden');
    expectProblem(await member.client.get(`/v1/calendars/${created.id}`), 403, 'forbidden');
  });
});
