// Business calendars: working hours in an IANA zone and holidays, which SLA policies count in.
// The built-in `24x7` calendar is listed first and cannot be changed.
import type { IncomingMessage } from 'node:http';
import express, { Router, type Request } from 'express';
import { BUILT_IN_CALENDAR_ID } from '../../services/policies';
import type { ApiDeps } from '../context';
import type { RouteCatalog } from '../openapi/route';
import { listPage, PageQuery, pageSchema } from '../pagination';
import { calendarService } from '../services/calendars';
import {
  BUILT_IN_CALENDAR,
  builtInCalendarJson,
  CalendarIdParams,
  calendarJson,
  CalendarSchema,
  CreateCalendarBody,
  HolidayImportSchema,
  ImportHolidaysQuery,
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

export function calendarsRouter(deps: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = deps.db;
  const calendars = calendarService(deps);
  const router = Router();

  catalog.route(
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
    async ({ body, caller }, _req, res) => {
      const created = await calendars.create(caller, body);
      res.status(201).location(`/v1/calendars/${created.id}`).json(calendarJson(created));
    },
  );

  catalog.route(
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
    async ({ query }, _req, res) => {
      const calendars = await listPage({
        query,
        where: {},
        by: 'createdAt',
        direction: 'asc',
        find: (window) => prisma.calendar.findMany(window),
        item: (c) => (c.id === BUILT_IN_CALENDAR_ID ? builtInCalendarJson() : calendarJson(c)),
        // The built-in sits at the epoch, before every stored calendar.
        first: [BUILT_IN_CALENDAR],
      });
      res.json(calendars);
    },
  );

  catalog.route(
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
    async ({ params: { id } }, _req, res) => {
      const row = await calendars.find(id);
      res.json(row ? calendarJson(row) : builtInCalendarJson());
    },
  );

  catalog.route(
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
    async ({ params: { id }, body, caller }, _req, res) => {
      res.json(calendarJson(await calendars.update(caller, id, body)));
    },
  );

  catalog.route(
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
        'A file over a limit is refused as a whole with 400 naming it, before it is expanded: more than 1,000,000 characters, more than 5,000 events, an event spanning more than 366 days, or more than 200,000 dates from all events and recurrences.',
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
    async ({ params: { id }, query, caller }, req, res) => {
      const { calendar, ...imported } = await calendars.importHolidays(caller, id, req.body, query);
      res.json({ calendar: calendarJson(calendar), ...imported });
    },
  );

  return router;
}
