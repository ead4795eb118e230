// Business calendars: working hours, holidays and business-time arithmetic (see calendar.ts).
export {
  CALENDAR_24X7,
  WEEKDAYS,
  addBusinessDuration,
  addBusinessTime,
  businessTimeBetween,
  isWorkingInstant,
  nextWorkingInstant,
  parseBusinessDuration,
  validateCalendar,
  workingDates,
} from './calendar';
export type { Calendar, Weekday } from './calendar';
export { ICS_LIMITS, IcsLimitError, parseIcsHolidays, readIcsHolidays } from './ics';
export type { IcsHolidayOptions, IcsHolidayResult } from './ics';
export { formatZoned, isValidTimeZone, zonedInstant } from './zone';
