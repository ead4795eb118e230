// What the reconciler workflow takes and answers, shared with the API and the worker.
import type { ReconcilerRepair } from '../../activities/types';

/** How the ids of the reconciler's schedule (one per task queue) and of its runs begin. */
export const RECONCILER_SCHEDULE_ID = 'handoff-reconciler';

export const RECONCILER_PAGE_SIZE = 100;
/** At most this many repairs are listed in the answer (all of them are counted, and all are in the audit log). */
export const LISTED_REPAIRS = 100;

export interface ReconcilerInput {
  pageSize?: number;
  /** Carried by continue-as-new. */
  after?: string | null;
  totals?: ReconcilerTotals;
  startedAt?: string;
}

export interface ReconcilerTotals {
  checked: number;
  repaired: number;
  byRepair: Record<ReconcilerRepair['repair'], number>;
  repairs: ReconcilerRepair[];
}

export interface ReconcilerSummary extends ReconcilerTotals {
  startedAt: string;
  finishedAt: string;
}
