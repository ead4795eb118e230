// What the monthly scorecard workflow takes and answers, and the month arithmetic it runs on:
// shared with the worker (its schedule), the activities and the tests. Pure.
import type { DeliveryRetry } from '../brief/definitions';

/** How the ids of the scorecard schedule (one per task queue) and of its runs begin. */
export const SCORECARD_SCHEDULE_ID = 'handoff-scorecards';

/** The outbox event of a scorecard email (a notification about no brief). */
export const SCORECARD_EVENT = 'scorecard';

export interface MonthlyScorecardsInput {
  /**
   * The month to report, YYYY-MM; unset (the schedule's runs): the calendar month before the run's
   * scheduled start.
   */
  month?: string;
  /** The task queue deliveries run on (the worker's delivery queue); unset: the workflow's own. */
  deliveryTaskQueue?: string;
  /** How deliveries are retried; unset: as briefs retry theirs. */
  deliveryRetry?: DeliveryRetry;
}

export interface MonthlyScorecardsSummary {
  month: string;
  /** Outbox rows of the month still to send when the run started (none when the month was sent before). */
  planned: number;
  /** Rows whose delivery was given up on (recorded as failed in the outbox). */
  failed: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const isMonth = (value: string): boolean => MONTH.test(value);

/** The calendar month (UTC) before the one `instant` falls in, as YYYY-MM. */
export function monthBefore(instant: Date): string {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth(); // 0-based: the previous month's 1-based number
  return month === 0 ? `${year - 1}-12` : `${year}-${String(month).padStart(2, '0')}`;
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

/** The first and last day of `month` (YYYY-MM-DD, inclusive), the period a report of it covers. */
export function monthDays(month: string): { from: string; to: string } {
  const [year, number] = month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(lastDay).padStart(2, '0')}` };
}
