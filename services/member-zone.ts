// The time zone a member reads instants in, for notifications and the pages behind email links:
// their own, else that of the calendar their quiet hours follow (their own, else their party's),
// else UTC.
import type { PrismaClient } from '../lib/db/database';
import { CALENDAR_24X7, type Calendar } from '../workflows/domain/calendar';

export interface MemberCalendars {
  timezone: string | null;
  calendarId: string | null;
  party: { calendarId: string | null };
}

function calendarOf(row: { name: string; timezone: string; workingHours: unknown; holidays: unknown } | null): Calendar | undefined {
  if (!row) return undefined;
  return { name: row.name, timezone: row.timezone, workingHours: row.workingHours as Calendar['workingHours'], holidays: row.holidays as string[] };
}

/** The working hours a member's quiet hours follow: their own calendar, else their party's; none for 24x7. */
export async function quietHoursCalendar(prisma: PrismaClient, memberCalendarId: string | null, partyCalendarId: string | null): Promise<Calendar | undefined> {
  const id = memberCalendarId ?? partyCalendarId;
  if (!id || id === '24x7') return undefined;
  return calendarOf(await prisma.calendar.findUnique({ where: { id } }));
}

export async function memberTimeZone(prisma: PrismaClient, member: MemberCalendars): Promise<string> {
  if (member.timezone) return member.timezone;
  const calendar = await quietHoursCalendar(prisma, member.calendarId, member.party.calendarId);
  return calendar?.timezone ?? CALENDAR_24X7.timezone;
}
