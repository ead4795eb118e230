// Business calendars: working hours in an IANA zone and holidays, which SLA policies count in.
// The built-in `24x7` calendar is listed first and cannot be changed.
import type { IncomingMessage } from 'node:http';
import express, { Router, type Request } from 'express';
import type { Prisma } from '../../lib/db/generated/client';
import { newId } from '../../lib/ids';
import { BUILT_IN_CALENDAR_ID, type CalendarRow } from '../../lib/policies';
import { readIcsHolidays, validateCalendar, type Calendar } from '../../workflows/domain/calendar';
import { audit } from '../audit';
import { requireRole } from '../auth';
import type { ApiDeps } from '../context';
import { ApiError, conflict, fieldError, notFound, type FieldError } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { after, decodeCursor, page, PageQuery, pageSchema } from '../pagination';
import { parse } from '../validate';
import {
  BUILT_IN_CALENDAR,
  builtInCalendarJson,
  CalendarIdParams,
  calendarJson,
  CalendarSchema,
  CreateCalendarBody,
  HolidayImportSchema,
  ImportHolidaysQuery,
  MAX_HOLIDAYS,
  UpdateCalendarBody,
} from './sla.schemas';

const READERS = ['admin', 'manager', 'watcher'] as const;
const HOLIDAY_IMPORT_PATH = /^\/v1\/calendars\/[^/]+\/holidays\/import$/;
const ICS_TYPES = ['text/calendar', 'text/plain'];

/**
 * The body parser of the holiday import, mounted with the JSON parser so the Idempotency-Key
 * middleware sees the file it guards; it reads text only on that route.
 */
export function holidayImportBodyParser(limit: string) {
  return express.text({
    limit,
    type: (req: IncomingMessage) => HOLIDAY_IMPORT_PATH.test((req.url ?? '').split('?')[0]) && Boolean((req as Request).is(ICS_TYPES)),
  });
}

/** validateCalendar's problems name their field first ("workingHours.mon[0] ends ..."): answer with that path. */
function calendarProblems(calendar: Calendar): FieldError[] {
  return validateCalendar(calendar).map((message) => {
    const field = /^(name|timezone|holidays(?:\[\d+\])?|workingHours(?:\.\w+)?(?:\[\d+\])?)(?=\s)/.exec(message)?.[1];
    return { path: `body.${field ?? 'workingHours'}`, message };
  });
}

function assertUsable(calendar: Calendar): void {
  const errors = calendarProblems(calendar);
  if (errors.length) throw new ApiError('validation', `invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

const sortedDates = (dates: Iterable<string>) => [...new Set(dates)].sort();

const asCalendar = (row: Pick<CalendarRow, 'name' | 'timezone' | 'workingHours' | 'holidays'>): Calendar => ({
  name: row.name,
  timezone: row.timezone,
  workingHours: row.workingHours as Calendar['workingHours'],
  holidays: row.holidays as string[],
});

export function calendarsRouter({ db }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  /** A stored calendar: 404 when there is none, 409 for the built-in one (it cannot change). */
  async function changeable(id: string) {
    if (id === BUILT_IN_CALENDAR_ID) throw conflict('the built-in 24x7 calendar cannot be changed; create a calendar of your own');
    const row = await prisma.calendar.findUnique({ where: { id } });
    if (!row) throw notFound('calendar');
    return row;
  }

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/calendars',
      operationId: 'createCalendar',
      summary: 'Create a business calendar',
      description: 'Working hours per weekday (several intervals a day allowed) in an IANA time zone, and holidays.',
      tag: 'SLA policies',
      roles: ['admin'],
      body: CreateCalendarBody,
      idempotent: true,
      responses: { 201: { description: 'The calendar', schema: CalendarSchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const body = parse(CreateCalendarBody, req.body);
      const holidays = sortedDates(body.holidays);
      assertUsable({ ...body, holidays });
      const created = await prisma.$transaction(async (tx) => {
        const row = await tx.calendar.create({
          data: { id: newId(), name: body.name, timezone: body.timezone, workingHours: body.workingHours as Prisma.InputJsonValue, holidays },
        });
        await audit(tx, { actorId: caller.memberId, action: 'calendar.created', targetType: 'calendar', targetId: row.id, after: calendarJson(row) });
        return row;
      });
      res.status(201).location(`/v1/calendars/${created.id}`).json(calendarJson(created));
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/calendars',
      operationId: 'listCalendars',
      summary: 'List calendars',
      description: 'Oldest first; the built-in `24x7` calendar comes first.',
      tag: 'SLA policies',
      roles: READERS,
      query: PageQuery,
      responses: { 200: { description: 'A page of calendars', schema: pageSchema(CalendarSchema, 'CalendarPage') } },
    },
    async (req, res) => {
      requireRole(res, ...READERS);
      const query = parse(PageQuery, req.query, 'query');
      const cursor = decodeCursor(query.cursor);
      // The built-in sits at the epoch, before every stored calendar: only the first page has it.
      const builtIn = cursor ? [] : [BUILT_IN_CALENDAR];
      const rows = await prisma.calendar.findMany({
        where: after(cursor, 'createdAt', 'asc'),
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: query.limit + 1 - builtIn.length,
      });
      const { items, nextCursor } = page([...builtIn, ...rows], query.limit, (c) => c.createdAt);
      res.json({ items: items.map((c) => (c.id === BUILT_IN_CALENDAR_ID ? builtInCalendarJson() : calendarJson(c))), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/calendars/:id',
      operationId: 'getCalendar',
      summary: 'Read a calendar',
      tag: 'SLA policies',
      roles: READERS,
      params: CalendarIdParams,
      responses: { 200: { description: 'The calendar', schema: CalendarSchema } },
    },
    async (req, res) => {
      requireRole(res, ...READERS);
      const { id } = parse(CalendarIdParams, req.params, 'params');
      if (id === BUILT_IN_CALENDAR_ID) return void res.json(builtInCalendarJson());
      const row = await prisma.calendar.findUnique({ where: { id } });
      if (!row) throw notFound('calendar');
      res.json(calendarJson(row));
    },
  );

  catalog.mount(
    router,
    {
      method: 'patch',
      path: '/v1/calendars/:id',
      operationId: 'updateCalendar',
      summary: 'Change a calendar',
      description:
        'Changes name, time zone, working hours or holidays (holidays are replaced as a whole) and increments the version. Running briefs keep the version they started with until an admin applies their policy to running briefs. The built-in `24x7` calendar answers 409.',
      tag: 'SLA policies',
      roles: ['admin'],
      params: CalendarIdParams,
      body: UpdateCalendarBody,
      errors: [409],
      responses: { 200: { description: 'The calendar', schema: CalendarSchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const { id } = parse(CalendarIdParams, req.params, 'params');
      const body = parse(UpdateCalendarBody, req.body);
      const before = await changeable(id);
      const next = {
        name: body.name ?? before.name,
        timezone: body.timezone ?? before.timezone,
        workingHours: body.workingHours ?? before.workingHours,
        holidays: body.holidays ? sortedDates(body.holidays) : (before.holidays as string[]),
      };
      assertUsable(asCalendar(next));
      const unchanged = JSON.stringify(asCalendar(next)) === JSON.stringify(asCalendar(before));
      if (unchanged) return void res.json(calendarJson(before));
      const updated = await prisma.$transaction(async (tx) => {
        const row = await tx.calendar.update({
          where: { id },
          data: { ...next, workingHours: next.workingHours as Prisma.InputJsonValue, version: { increment: 1 }, updatedAt: new Date() },
        });
        await audit(tx, { actorId: caller.memberId, action: 'calendar.updated', targetType: 'calendar', targetId: id, before: calendarJson(before), after: calendarJson(row) });
        return row;
      });
      res.json(calendarJson(updated));
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/calendars/:id/holidays/import',
      operationId: 'importCalendarHolidays',
      summary: 'Import holidays from an iCalendar file',
      description: [
        'Send the .ics file as the request body with `Content-Type: text/calendar` (or `text/plain`), up to 1 MB.',
        'All-day events (and the dates of timed ones), DTEND/DURATION ranges, and yearly fixed-date recurrences',
        '(RRULE:FREQ=YEARLY, expanded up to `untilYear`) become holidays; cancelled events are skipped; other recurrences are reported in `unsupported`.',
        'Answers 400 for a body that is not an iCalendar file or has no event that can be read, 409 for the built-in `24x7` calendar.',
        'A change increments the calendar version.',
      ].join(' '),
      tag: 'SLA policies',
      roles: ['admin'],
      params: CalendarIdParams,
      query: ImportHolidaysQuery,
      idempotent: true,
      errors: [409, 413],
      responses: { 200: { description: 'The calendar and what the file added', schema: HolidayImportSchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const { id } = parse(CalendarIdParams, req.params, 'params');
      const query = parse(ImportHolidaysQuery, req.query, 'query');
      const before = await changeable(id);
      const text: unknown = req.body;
      if (typeof text !== 'string' || !/^BEGIN:VCALENDAR\s*$/im.test(text)) {
        throw fieldError('body', 'send an iCalendar file (BEGIN:VCALENDAR ...) with Content-Type text/calendar');
      }
      const read = readIcsHolidays(text, { untilYear: query.untilYear ?? new Date().getUTCFullYear() + 10 });
      if (read.unsupported.length && (query.strict || read.holidays.length === 0)) {
        throw new ApiError(
          'validation',
          'invalid body: events that cannot be read',
          read.unsupported.slice(0, 50).map((message) => ({ path: 'body', message })),
        );
      }
      const fromDate = query.fromYear ? `${String(query.fromYear).padStart(4, '0')}-01-01` : '';
      const dates = read.holidays.filter((d) => d >= fromDate);
      const existing = new Set(before.holidays as string[]);
      const imported = dates.filter((d) => !existing.has(d));
      const duplicates = dates.filter((d) => existing.has(d));
      const holidays = sortedDates([...existing, ...imported]);
      if (holidays.length > MAX_HOLIDAYS) throw fieldError('body', `the calendar would have ${holidays.length} holidays, more than ${MAX_HOLIDAYS}: narrow fromYear/untilYear`);
      let row = before;
      if (imported.length) {
        row = await prisma.$transaction(async (tx) => {
          const updated = await tx.calendar.update({ where: { id }, data: { holidays, version: { increment: 1 }, updatedAt: new Date() } });
          await audit(tx, {
            actorId: caller.memberId,
            action: 'calendar.holidays_imported',
            targetType: 'calendar',
            targetId: id,
            before: calendarJson(before),
            after: { ...calendarJson(updated), imported },
          });
          return updated;
        });
      }
      res.json({ calendar: calendarJson(row), imported, duplicates, unsupported: read.unsupported });
    },
  );

  return router;
}
