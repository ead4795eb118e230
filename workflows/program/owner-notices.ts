// The notices to a program's owner, beside the program's main loop: when a brief of the running
// program ends declined or cancelled (its node failed), the owner is told what it holds and to
// replace or drop it. Each notice is planned into the outbox once the failure is recorded (the
// activity reads the program as recorded) and delivered in the background, on the delivery task
// queue with the retries the program's briefs get, so that a slow mail server never holds up the
// program. Programs that ran before the notice existed replay without it (patch
// program-held-notice).
import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BriefActivities, PlannedDelivery, ProgramActivities } from '../../activities/types';
import type { BriefWorkflowInput } from '../brief/definitions';
import { DEFAULT_DELIVERY_RETRY, deliveryActivity } from '../brief/notification-pump';
import type { ProgramHeldNoticeInput, ProgramSpec, ProgramState, ProgramWorkflowInput } from './definitions';
import { heldBy } from './held';

// The outbox's bookkeeping must catch up eventually, like the read model.
const { planProgramHeldNotice, notificationFailed } = proxyActivities<ProgramActivities & BriefActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The owner's notices go where and as the program's briefs deliver theirs (the API passes both in briefOptions). */
function deliveryOf(input: ProgramWorkflowInput) {
  const { deliveryTaskQueue, deliveryRetry = DEFAULT_DELIVERY_RETRY } = (input.briefOptions ?? {}) as Pick<BriefWorkflowInput, 'deliveryTaskQueue' | 'deliveryRetry'>;
  return deliveryActivity(deliveryRetry, deliveryTaskQueue);
}

export interface OwnerNotices {
  /** After markEnded: a brief whose node failed gets a notice, planned by the next send(). */
  noteEnded(key: string, briefId: string): void;
  /** Notices noted and not yet planned: the loop calls send() once the failure is recorded. */
  readonly pending: boolean;
  /** A delivery in flight: the program ends only after it. */
  readonly delivering: boolean;
  /** Plans the pending notices and starts their deliveries. */
  send(): Promise<void>;
}

export function ownerNotices(input: ProgramWorkflowInput, program: ProgramSpec, state: ProgramState): OwnerNotices {
  const deliverNotification = deliveryOf(input);
  const toPlan: ProgramHeldNoticeInput[] = [];
  let delivering = 0;

  /** Delivers one outbox row; one given up on is recorded as failed. A program never fails over a notice. */
  const deliver = (id: string) => {
    delivering += 1;
    void (async () => {
      try {
        await deliverNotification({ id });
      } catch (err) {
        log.warn('program held notice given up', { id, error: String(err) });
        try {
          await notificationFailed({ id, error: String((err as { cause?: unknown }).cause ?? err) });
        } catch (failed) {
          log.error('the outbox refused to record a failed delivery', { id, error: String(failed) });
        }
      } finally {
        delivering -= 1;
      }
    })();
  };

  const plan = async (notice: ProgramHeldNoticeInput) => {
    const node = state.nodes.find((n) => n.key === notice.key);
    // Replaced or dropped while the failure was being recorded, or the program was cancelled: nothing to ask of the owner.
    if (state.status !== 'running' || node?.briefId !== notice.briefId || node.state !== 'failed') return;
    let planned: PlannedDelivery[] = [];
    try {
      planned = await planProgramHeldNotice(notice);
    } catch (err) {
      log.error('the notice of a held program was not planned', { key: notice.key, briefId: notice.briefId, error: String(err) });
    }
    for (const { id } of planned) deliver(id);
  };

  return {
    noteEnded(key, briefId) {
      const node = state.nodes.find((n) => n.key === key);
      // Only a brief of the running program fails (the program's own cancel makes its briefs cancelled).
      if (node?.briefId !== briefId || node.state !== 'failed' || !patched('program-held-notice')) return;
      const outcome = node.outcome === 'declined' ? 'declined' : 'cancelled';
      toPlan.push({ workflowId: workflowInfo().workflowId, programId: program.id, ownerId: program.ownerId, key, briefId, outcome, held: heldBy(program, state, key) });
    },
    get pending() {
      return toPlan.length > 0;
    },
    get delivering() {
      return delivering > 0;
    },
    async send() {
      while (toPlan.length) await plan(toPlan.shift() as ProgramHeldNoticeInput);
    },
  };
}
