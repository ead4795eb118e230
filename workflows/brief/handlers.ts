// The messages a brief's workflow answers: participant actions, edits, policy changes and
// escalation acknowledgements as updates whose validators consult the pure state machine (so an
// illegal one never enters history), each answered once its events are recorded; the queries;
// and the reconciler's refresh.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { applyEdit, applyPolicy, checkApplyPolicy, checkChanges, checkEdit, checkExpectedSeq, checkPlanChange } from '../domain/edit';
import { acknowledgeEscalation, checkEscalationAcknowledgement, viewBrief } from '../domain/sla';
import { ActionRejected, applyAction, checkActionRequest, emit, type ActionName } from '../domain/transitions';
import {
  acknowledgeEscalationUpdate,
  actionUpdates,
  applySlaUpdate,
  briefQuery,
  editUpdate,
  escalationAcknowledgedSignal,
  recordedQuery,
  refreshReadModelUpdate,
  syncUpdate,
  type ActionRequest,
  type ApplySlaRequest,
  type EditRequest,
  type EscalationAcknowledgement,
} from './definitions';
import type { ReadModelWriter } from './read-model';
import type { BriefRun } from './run';

/** Rejections of the state machine leave the workflow as failures the API can read. */
function asFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ActionRejected) throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true });
    throw err;
  }
}

export function registerHandlers(run: BriefRun, readModel: ReadModelWriter): void {
  const { state, toRecord } = run;
  const answered = () => readModel.waitUntilRecorded(state.seq);

  for (const name of Object.keys(actionUpdates) as ActionName[]) {
    setHandler(
      actionUpdates[name],
      async (request: ActionRequest) => {
        toRecord.push(...asFailure(() => applyAction(state, name, request.payload, request.actor, Date.now())));
        return answered();
      },
      { validator: (request: ActionRequest) => asFailure(() => checkActionRequest(state, name, request.payload, request.actor, Date.now())) },
    );
  }
  // Edits are checked against the version the editor saw (expectedSeq), so a stale edit is
  // refused before it enters history. (A new handler adds no commands: replay-safe.)
  setHandler(
    editUpdate,
    async (request: EditRequest) => {
      toRecord.push(...asFailure(() => applyEdit(state, request.changes, request.actor, Date.now())));
      return answered();
    },
    {
      validator: (request: EditRequest) =>
        asFailure(() => {
          checkEdit(state, request.actor);
          checkChanges(request.changes);
          checkPlanChange(state, request.changes);
          checkExpectedSeq(state, request.expectedSeq);
        }),
    },
  );
  setHandler(
    applySlaUpdate,
    async (request: ApplySlaRequest) => {
      toRecord.push(...asFailure(() => applyPolicy(state, request.sla, request.actor, Date.now())));
      return answered();
    },
    { validator: (request: ApplySlaRequest) => asFailure(() => checkApplyPolicy(state, request.actor)) },
  );
  setHandler(syncUpdate, answered);
  setHandler(briefQuery, () => viewBrief(state, Date.now()));
  setHandler(recordedQuery, readModel.recorded);
  // Asked for by the reconciler; the main loop records the state as soon as it can.
  setHandler(refreshReadModelUpdate, readModel.refresh);
  // The acknowledgement stops the escalation chain of its clock (until it re-escalates).
  const recordAcknowledgement = ({ escalationId, memberId }: EscalationAcknowledgement) => {
    const now = Date.now();
    const clock = acknowledgeEscalation(state, escalationId, memberId, now);
    toRecord.push(emit(state, 'escalation_acknowledged', memberId, now, { escalationId, ...(clock ? { clock } : {}) }));
  };
  setHandler(
    acknowledgeEscalationUpdate,
    async (ack: EscalationAcknowledgement) => {
      recordAcknowledgement(ack);
      return answered();
    },
    { validator: (ack: EscalationAcknowledgement) => asFailure(() => checkEscalationAcknowledgement(state, ack.escalationId)) },
  );
  // How acknowledgements arrived before the update; kept for running briefs and recorded histories.
  setHandler(escalationAcknowledgedSignal, recordAcknowledgement);
}
