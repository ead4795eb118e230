// Shared calendars for the business-time tests.
import type { Calendar } from '../../../workflows/domain/calendar';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const utc = (iso: string) => Date.parse(iso);

const nineToFive: [string, string][] = [['09:00', '17:00']];
const allDay: [string, string][] = [['00:00', '24:00']];

/** Europe/Berlin, Monday to Friday 09:00-17:00, Christmas holidays. */
export const BERLIN_OFFICE: Calendar = {
  name: 'berlin-office',
  timezone: 'Europe/Berlin',
  workingHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26'],
};

const split: [string, string][] = [
  ['08:00', '12:00'],
  ['13:00', '17:00'],
];
/** Europe/Berlin, Monday to Friday 08:00-12:00 and 13:00-17:00. */
export const BERLIN_SPLIT: Calendar = {
  name: 'berlin-split',
  timezone: 'Europe/Berlin',
  workingHours: { mon: split, tue: split, wed: split, thu: split, fri: split },
  holidays: [],
};

export function allDayCalendar(timezone: string): Calendar {
  return {
    name: `24x7-${timezone}`,
    timezone,
    workingHours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    holidays: [],
  };
}

export const BERLIN_24X7 = allDayCalendar('Europe/Berlin');
export const NEW_YORK_24X7 = allDayCalendar('America/New_York');
