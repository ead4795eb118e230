// Writes what the brief's workflow does into the read model: every batch of events with the
// brief's state (recordEvents), the brief's search attributes after each, and a refresh of the
// state when the reconciler asks. Recorded events go on to the notification pump.
import { ActivityFailure, ApplicationFailure, condition, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_DATABASE_ERROR, type BriefActivities } from '../../activities/types';
import type { BriefView } from '../domain/brief';
import { isTerminal } from '../domain/vocabulary';
import { isOverdue, nextClockDeadline, viewBrief } from '../domain/sla';
import type { RecordedState } from './definitions';
import { onBranch, type BriefRun } from './run';
import { briefIndexer } from './search-index';

const { recordEvents } = proxyActivities<BriefActivities>({
  startToCloseTimeout: '30 seconds',
  // The read model must catch up eventually: keep retrying while the database is away.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * True for an activity that gave up because the database refused its write for good (it recorded
 * the write in activity_failures for admins): the brief carries on without it rather than stop.
 */
export function refusedForGood(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === PERMANENT_DATABASE_ERROR;
}

export interface ReadModelWriter {
  /** Records the events waiting (and the state, when a refresh is asked for); then hands them to the notification pump. */
  flush(): Promise<void>;
  /** Whether there is something to record: events, or a refresh. */
  readonly due: boolean;
  /** Answers the brief once everything up to `seq` is recorded. */
  waitUntilRecorded(seq: number): Promise<BriefView>;
  /** Asks for the state to be recorded again and waits until it is. */
  refresh(): Promise<RecordedState>;
  recorded(): RecordedState;
}

export function readModelWriter(run: BriefRun): ReadModelWriter {
  const { state, toRecord } = run;
  let recordedSeq = run.input.state ? state.seq : 0;
  let refreshRequested = false;
  const index = run.input.searchAttributes ? briefIndexer() : undefined;
  const recorded = (): RecordedState => ({ status: state.status, seq: state.seq, recordedSeq, branch: run.branch ?? null });

  const flush = async () => {
    const batch = toRecord.splice(0, toRecord.length);
    // A refresh records the state with whatever else is to be recorded, or alone.
    const refresh = refreshRequested;
    const nextDue = nextClockDeadline(state);
    const overdue = isOverdue(state);
    const nextDueAt = nextDue === undefined || isTerminal(state.status) ? null : new Date(nextDue).toISOString();
    try {
      await recordEvents({
        workflowId: workflowInfo().workflowId,
        events: batch,
        // The timeline travels once, event by event: the read model keeps it. (A whole timeline in
        // every flush made a brief's history grow with the square of its length.)
        state: { ...state, timeline: [] },
        overdue,
        nextDueAt,
        ...onBranch(run),
        ...(refresh ? { refresh } : {}),
      });
    } catch (err) {
      // The batch is in activity_failures; the next flush records the brief's state again.
      if (!refusedForGood(err)) throw err;
      log.error('the read model refused events for good', { seqs: batch.map((e) => e.seq), error: String(err) });
    }
    if (batch.length > 0) recordedSeq = batch[batch.length - 1].seq;
    if (refresh) refreshRequested = false;
    index?.({ state, recordedSeq, overdue, nextDueAt });
    // The read model keeps the timeline: the state holds only what is not recorded yet, so update
    // results and the continue-as-new input stay small however long the brief runs.
    state.timeline = state.timeline.filter((e) => e.seq > recordedSeq);
    run.toNotify.push(...batch.map((event) => ({ event, status: state.status })));
  };

  return {
    flush,
    get due() {
      return toRecord.length > 0 || refreshRequested;
    },
    async waitUntilRecorded(seq) {
      await condition(() => recordedSeq >= seq);
      return viewBrief(state, Date.now());
    },
    async refresh() {
      refreshRequested = true;
      await condition(() => !refreshRequested);
      return recorded();
    },
    recorded,
  };
}
