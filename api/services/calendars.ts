// The rules of business calendars: a calendar must be usable (working hours and holidays that
// make sense), the built-in 24x7 one never changes, a change that changes nothing writes nothing,
// every change increments the version and is audited, and what an iCalendar file adds.
import type { z } from 'zod';
import type { Prisma } from '../../lib/db/generated/client';
import { newId } from '../../lib/ids';
import { BUILT_IN_CALENDAR_ID, type CalendarRow } from '../../services/policies';
import { ICS_LIMITS, IcsLimitError, readIcsHolidays, validateCalendar, type Calendar } from '../../workflows/domain/calendar';
import { audit } from '../../services/audit';
import type { Caller } from '../auth';
import type { ApiDeps } from '../context';
import { ApiError, conflict, fieldError, notFound, type FieldError } from '../errors';
import { calendarJson, MAX_HOLIDAYS, type CreateCalendarBody, type ImportHolidaysQuery, type UpdateCalendarBody } from '../routes/sla.schemas';

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

export function calendarService({ db: { prisma } }: Pick<ApiDeps, 'db'>) {
  /** A stored calendar: 404 when there is none, 409 for the built-in one (it cannot change). */
  async function changeable(id: string) {
    if (id === BUILT_IN_CALENDAR_ID) throw conflict('the built-in 24x7 calendar cannot be changed; create a calendar of your own');
    const row = await prisma.calendar.findUnique({ where: { id } });
    if (!row) throw notFound('calendar');
    return row;
  }

  return {
    async create(caller: Caller, body: z.output<typeof CreateCalendarBody>) {
      const holidays = sortedDates(body.holidays);
      assertUsable({ ...body, holidays });
      return prisma.$transaction(async (tx) => {
        const row = await tx.calendar.create({
          data: { id: newId(), name: body.name, timezone: body.timezone, workingHours: body.workingHours as Prisma.InputJsonValue, holidays },
        });
        await audit(tx, { actorId: caller.memberId, action: 'calendar.created', targetType: 'calendar', targetId: row.id, after: calendarJson(row) });
        return row;
      });
    },

    /** A stored calendar; undefined for the built-in one, 404 for none. */
    async find(id: string) {
      if (id === BUILT_IN_CALENDAR_ID) return undefined;
      const row = await prisma.calendar.findUnique({ where: { id } });
      if (!row) throw notFound('calendar');
      return row;
    },

    /** Changes what the body names (holidays as a whole); a new version only when something changes. */
    async update(caller: Caller, id: string, body: z.output<typeof UpdateCalendarBody>) {
      const before = await changeable(id);
      const next = {
        name: body.name ?? before.name,
        timezone: body.timezone ?? before.timezone,
        workingHours: body.workingHours ?? before.workingHours,
        holidays: body.holidays ? sortedDates(body.holidays) : (before.holidays as string[]),
      };
      assertUsable(asCalendar(next));
      const unchanged = JSON.stringify(asCalendar(next)) === JSON.stringify(asCalendar(before));
      if (unchanged) return before;
      return prisma.$transaction(async (tx) => {
        const row = await tx.calendar.update({
          where: { id },
          data: { ...next, workingHours: next.workingHours as Prisma.InputJsonValue, version: { increment: 1 }, updatedAt: new Date() },
        });
        await audit(tx, { actorId: caller.memberId, action: 'calendar.updated', targetType: 'calendar', targetId: id, before: calendarJson(before), after: calendarJson(row) });
        return row;
      });
    },

    /** Adds the holidays of an iCalendar file the calendar does not have yet. */
    async importHolidays(caller: Caller, id: string, text: unknown, query: z.output<typeof ImportHolidaysQuery>) {
      const before = await changeable(id);
      if (typeof text === 'string' && text.length > ICS_LIMITS.maxChars) {
        throw fieldError('body', `the iCalendar file has ${text.length} characters, more than ${ICS_LIMITS.maxChars}`);
      }
      if (typeof text !== 'string' || !/^BEGIN:VCALENDAR\s*$/im.test(text)) {
        throw fieldError('body', 'send an iCalendar file (BEGIN:VCALENDAR ...) with Content-Type text/calendar');
      }
      let read: ReturnType<typeof readIcsHolidays>;
      try {
        read = readIcsHolidays(text, { untilYear: query.untilYear ?? new Date().getUTCFullYear() + 10 });
      } catch (err) {
        // A hostile or oversized feed: refused as a whole, naming the limit it broke.
        if (err instanceof IcsLimitError) throw fieldError('body', err.message);
        throw err;
      }
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
      return { calendar: row, imported, duplicates, unsupported: read.unsupported };
    },
  };
}
