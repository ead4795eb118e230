// Records the histories that test/replay/replay.test.ts replays against the current workflow code.
//
//   npm run record:histories
//
// It starts a Temporal dev server (in memory), runs each scenario below against briefWorkflow with
// stub activities, and writes every run's history to test/replay/histories/<set>/<scenario>.json
// (a scenario that continues as new writes <scenario>.run-<n>.json, one file per run). <set> names
// the workflow version recorded, from HISTORY_SET (e.g. HISTORY_SET=v4-my-change).
//
// WHEN TO RE-RECORD
// - Only to ADD histories: a new scenario, or a scenario that covers a new path (a new action, a
//   new event, a new clock). Add the scenario here and to scenarios.ts (REPLAY_SCENARIOS, and
//   RECORDED_SINCE naming the new set), run the script, and commit the new files beside the old
//   ones. Keep the old files: they are the briefs already running in production.
// - NEVER to make a failing replay test pass. A replay failure (DeterminismViolationError) means
//   the changed workflow code would break briefs that are in flight: keep the old behaviour for
//   old histories (workflow patching with patched()/deprecatePatch() from @temporalio/workflow),
//   or ship the change under a new workflow type. Re-recording would only hide the breakage.
// - Re-recording all files rewrites histories that production may still hold; do it only when the
//   old ones provably no longer exist anywhere (and say so in the commit).
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PERMANENT_DATABASE_ERROR, type BriefActivities } from '../../activities/types';
import { acknowledgeEscalationUpdate, actionUpdates, applySlaUpdate, briefQuery, editUpdate, type BriefWorkflowInput } from '../../workflows/brief/definitions';
import { CALENDAR_24X7 } from '../../workflows/domain/calendar';
import type { BriefSla } from '../../workflows/domain/policy';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import type { BriefInput, BriefView, TargetsMs } from '../../workflows/domain/brief';
import type { Actor } from '../../workflows/domain/vocabulary';
import type { ReviewPlan } from '../../workflows/domain/review';
import type { BriefChanges } from '../../workflows/domain/edit';
import { briefWorkflowId } from '../../workflows/domain/ids';
import type { ActionName, ActionPayloads } from '../../workflows/domain/transitions';
import { noteRecorded, withRecorded } from '../support/recorded-timeline';
import { historySetFolder, recordHistories, runRecording } from './run-histories';
import { REPLAY_SCENARIOS, replayBriefId, type ReplayScenario } from './scenarios';

const TASK_QUEUE = 'replay-recording';

const SECOND = 1000;

/** Event data with this text is refused by the stub database; a delivery with this id fails for good. */
const REFUSED = 'REFUSED-BY-THE-DATABASE';
const UNDELIVERABLE = 'undeliverable';
const refusedForGood = (activity: string) => ApplicationFailure.create({ type: PERMANENT_DATABASE_ERROR, message: `${activity}: refused`, nonRetryable: true });
const HOUR = 3600 * SECOND;

const manager: Actor = { memberId: 'm-manager', role: 'manager', partyId: 'party-shop' };
const agency: Actor = { memberId: 'm-agency', role: 'member', partyId: 'party-agency' };
const admin: Actor = { memberId: 'm-admin', role: 'admin', partyId: 'party-shop' };

/** A policy of seconds on the 24x7 calendar: two levels, and re-escalation after an acknowledgement. */
function secondsPolicy(version: number, acknowledge: string): BriefSla {
  return {
    policyId: 'policy-seconds',
    policyName: 'Seconds',
    policyVersion: version,
    calendarId: null,
    calendarVersion: 1,
    calendar: CALENDAR_24X7,
    policyTargets: { acknowledge: { P2: acknowledge }, deliver: { P2: 'PT1H' }, review: { P2: 'PT1H' } },
    warnAt: 0.5,
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }, { after: 'PT1S', notify: ['watchers'] }] },
    agreement: 'external',
    reescalate: true,
  };
}

type Handle = WorkflowHandleWithFirstExecutionRunId<typeof briefWorkflow>;

// The activities do nothing: a history holds their results, not their effects. Planning answers
// outbox rows, so the histories hold deliveries: one at once per event, and for a new brief one
// held for a second (quiet hours).
const activities: BriefActivities = {
  // Kept only so that the recording can read the timeline, which the workflow leaves to the read model.
  async recordEvents({ workflowId, events }) {
    if (events.some((e) => JSON.stringify(e.data).includes(REFUSED))) throw refusedForGood('recordEvents');
    noteRecorded(workflowId, events);
  },
  async notify() {},
  async planNotifications({ brief, event }) {
    if (JSON.stringify(event.data).includes(REFUSED)) throw refusedForGood('planNotifications');
    const now = { id: `${brief.id}-${event.seq}`, notBefore: null };
    if (JSON.stringify(event.data).includes(UNDELIVERABLE)) return [{ ...now, id: `${now.id}-${UNDELIVERABLE}` }];
    if (event.type !== 'brief_created') return [now];
    return [now, { id: `${brief.id}-${event.seq}-held`, notBefore: new Date(Date.now() + SECOND).toISOString() }];
  },
  async deliverNotification({ id }) {
    if (id.endsWith(UNDELIVERABLE)) throw ApplicationFailure.create({ message: 'mailbox unknown', nonRetryable: true });
  },
  async notificationFailed({ id }) {
    if (id.endsWith(UNDELIVERABLE)) throw refusedForGood('notificationFailed');
  },
};

const reviewer = (memberId: string): Actor => ({ memberId, role: 'manager', partyId: 'party-shop' });

/** Brand and legal (`rule`), then 2 of 3 shop owners, approving at a 2-second deadline. */
function reviewPlan(rule: 'any' | 'all'): ReviewPlan {
  return {
    stages: [
      { name: 'Brand and legal', reviewers: ['m-brand', 'm-legal'], members: ['m-brand', 'm-legal'], rule },
      { name: 'Shop owners', reviewers: [{ partyId: 'party-owners', role: 'manager' }], members: ['m-shop-1', 'm-shop-2', 'm-shop-3'], rule: { quorum: 2 }, target: 'PT2S', onDeadline: 'approve' },
    ],
    resumeAtFailedStage: true,
  };
}

function brief(scenario: ReplayScenario, targetsMs: Partial<TargetsMs> = {}): BriefInput {
  return {
    id: replayBriefId(scenario),
    title: `Replay: ${scenario}`,
    description: 'Recorded for the replay tests',
    partyId: agency.partyId,
    managerId: manager.memberId,
    reviewerId: 'm-reviewer',
    priority: 'P2',
    dueAt: null,
    deliverables: ['figma'],
    targetsMs: { acknowledge: 4 * HOUR, deliver: 72 * HOUR, review: 24 * HOUR, ...targetsMs },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function act<A extends ActionName>(handle: Handle, action: A, actor: Actor, payload: ActionPayloads[A]): Promise<BriefView> {
  return handle.executeUpdate(actionUpdates[action], { args: [{ actor, payload }] }).then((v) => withRecorded(handle.workflowId, v));
}

/** A manager's edit, based on the brief as last seen. */
function edit(handle: Handle, seen: BriefView, changes: BriefChanges): Promise<BriefView> {
  return handle.executeUpdate(editUpdate, { args: [{ actor: manager, expectedSeq: seen.timeline[seen.timeline.length - 1].seq, changes }] }).then((v) => withRecorded(handle.workflowId, v));
}

/** Waits until the run has nothing in flight (so a due continue-as-new has happened). */
async function settled(handle: Handle): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return;
    const events = (await handle.fetchHistory()).events ?? [];
    const lastEvent = events[events.length - 1];
    const idle =
      (description.raw.pendingActivities ?? []).length === 0 &&
      lastEvent != null &&
      (lastEvent.workflowTaskCompletedEventAttributes != null ||
        lastEvent.timerStartedEventAttributes != null ||
        lastEvent.timerCanceledEventAttributes != null);
    if (idle) return;
    await sleep(20);
  }
  throw new Error(`${handle.workflowId} never settled`);
}

async function until(handle: Handle, ready: (v: BriefView) => boolean): Promise<BriefView> {
  for (let i = 0; i < 1000; i++) {
    const v = withRecorded(handle.workflowId, await handle.query(briefQuery));
    if (ready(v)) return v;
    await sleep(50);
  }
  throw new Error(`${handle.workflowId} never reached the expected state`);
}

const scenarios: Record<ReplayScenario, { input: (s: ReplayScenario) => BriefWorkflowInput; run: (handle: Handle) => Promise<void> }> = {
  // Clarification, a revision round and approval, with comments: no clock fires.
  'happy-path': {
    input: (s) => ({ brief: brief(s) }),
    run: async (handle) => {
      await act(handle, 'askClarification', agency, { question: 'Which colours?' });
      await act(handle, 'answerClarification', manager, { answer: 'Red and gold' });
      await act(handle, 'acknowledge', agency, { note: 'on it' });
      await act(handle, 'comment', manager, { body: 'Looking forward to it' });
      await act(handle, 'deliver', agency, { summary: 'First cut', links: ['https://figma.example/v1'] });
      await act(handle, 'requestChanges', manager, { reason: 'Bigger logo' });
      await act(handle, 'deliver', agency, { summary: 'Bigger logo', links: ['https://figma.example/v2'] });
      await act(handle, 'approve', manager, { note: 'Ship it' });
    },
  },
  // The acknowledge clock warns and breaches; the escalation is acknowledged; the manager cancels.
  'acknowledge-breach-cancel': {
    input: (s) => ({ brief: brief(s, { acknowledge: 2 * SECOND }) }),
    run: async (handle) => {
      const breached = await until(handle, (v) => v.timeline.some((e) => e.type === 'escalation_raised'));
      const escalation = breached.timeline.find((e) => e.type === 'escalation_raised')!;
      // Sets before v6 acknowledged with the escalationAcknowledged signal (still handled for them).
      await handle.executeUpdate(acknowledgeEscalationUpdate, { args: [{ escalationId: String(escalation.data.escalationId), memberId: 'm-watcher' }] });
      await act(handle, 'cancel', manager, { reason: 'agency unreachable' });
    },
  },
  // The agency acknowledges, then declines.
  decline: {
    input: (s) => ({ brief: brief(s) }),
    run: async (handle) => {
      await act(handle, 'acknowledge', agency, {});
      await act(handle, 'comment', agency, { body: 'Checking capacity' });
      await act(handle, 'decline', agency, { reason: 'fully booked' });
    },
  },
  // The review clock breaches on the first delivery; the second delivery is approved in time.
  'review-breach-revision': {
    input: (s) => ({ brief: brief(s, { review: 2 * SECOND }) }),
    run: async (handle) => {
      await act(handle, 'acknowledge', agency, {});
      await act(handle, 'deliver', agency, { summary: 'v1' });
      await until(handle, (v) => v.timeline.some((e) => e.type === 'escalation_raised'));
      await act(handle, 'requestChanges', manager, { reason: 'late and wrong' });
      const second = await act(handle, 'deliver', agency, { summary: 'v2' });
      if (second.sla.review.state !== 'running') throw new Error('review clock should run again');
      await act(handle, 'approve', manager, {});
    },
  },
  // Managers edit the brief: text while it awaits acknowledgement; dueAt, reviewer and priority
  // (with its targets) once the deliver clock runs; then a review target so short that the running
  // review clock breaches at once. A stale edit is refused and leaves no trace.
  'edit-brief': {
    input: (s) => ({ brief: { ...brief(s), targetOverrides: { acknowledge: 'PT4H' } } }),
    run: async (handle) => {
      const created = withRecorded(handle.workflowId, await handle.query(briefQuery));
      await edit(handle, created, { title: 'Replay: edit-brief (renamed)', description: 'Edited while awaiting acknowledgement' });
      const acknowledged = await act(handle, 'acknowledge', agency, { note: 'on it' });
      await edit(handle, acknowledged, {
        dueAt: new Date(Date.now() + 48 * HOUR).toISOString(),
        reviewerId: null,
        priority: 'P1',
        targetsMs: { acknowledge: 4 * HOUR, deliver: 24 * HOUR, review: 4 * HOUR },
      });
      const refused = await edit(handle, acknowledged, { title: 'stale' }).then(
        () => false,
        () => true,
      );
      if (!refused) throw new Error('a stale edit should be refused');
      const delivered = await act(handle, 'deliver', agency, { summary: 'v1' });
      await edit(handle, delivered, { targetsMs: { acknowledge: 4 * HOUR, deliver: 24 * HOUR, review: 2 * SECOND } });
      await until(handle, (v) => v.timeline.some((e) => e.type === 'escalation_raised'));
      await act(handle, 'approve', manager, {});
    },
  },
  // Under an SLA policy: warning, breach, two escalation levels; the second is acknowledged and
  // re-escalates a target later; hold and resume; an admin applies version 2 of the policy; then
  // the brief runs to approval.
  'sla-policy': {
    input: (s) => ({ brief: { ...brief(s), sla: secondsPolicy(1, 'PT2S') } }),
    run: async (handle) => {
      const escalated = await until(handle, (v) => v.timeline.filter((e) => e.type === 'escalation_raised').length === 2);
      const level2 = escalated.timeline.filter((e) => e.type === 'escalation_raised')[1];
      await handle.executeUpdate(acknowledgeEscalationUpdate, { args: [{ escalationId: String(level2.data.escalationId), memberId: 'm-watcher' }] });
      await until(handle, (v) => v.timeline.some((e) => e.type === 'escalation_raised' && e.data.reescalation === true));
      await act(handle, 'hold', manager, { reason: 'waiting for photos' });
      await act(handle, 'resume', manager, {});
      await handle.executeUpdate(applySlaUpdate, { args: [{ actor: admin, sla: secondsPolicy(2, 'PT1H') }] });
      await act(handle, 'acknowledge', agency, {});
      await act(handle, 'deliver', agency, { summary: 'v1' });
      await act(handle, 'approve', manager, {});
    },
  },
  // The database refuses a comment for good (read model and outbox), a delivery fails for good and
  // its failure cannot be recorded either: the brief carries on to approval.
  'refused-writes': {
    input: (s) => ({ brief: brief(s) }),
    run: async (handle) => {
      await act(handle, 'acknowledge', agency, {});
      await act(handle, 'comment', agency, { body: `Our CMS says ${REFUSED}` });
      await act(handle, 'comment', manager, { body: `Mail to an ${UNDELIVERABLE} address` });
      await act(handle, 'deliver', agency, { summary: 'v1' });
      await act(handle, 'approve', manager, {});
    },
  },
  // A review plan (edited before the first delivery): stage 1 (brand and legal, all) returns the
  // brief with both reasons; on the next delivery legal hands the review to a colleague, a shop
  // owner's delegate decides while the owner is out of office, and stage 2 approves at its deadline.
  'review-plan': {
    input: (s) => ({ brief: { ...brief(s), reviewPlan: reviewPlan('any') } }),
    run: async (handle) => {
      const created = withRecorded(handle.workflowId, await handle.query(briefQuery));
      await edit(handle, created, { reviewPlan: reviewPlan('all') });
      await act(handle, 'acknowledge', agency, {});
      await act(handle, 'deliver', agency, { summary: 'v1' });
      await act(handle, 'review', reviewer('m-brand'), { decision: 'request_changes', note: 'Logo too small' });
      await act(handle, 'requestChanges', reviewer('m-legal'), { reason: 'Disclaimer missing' });
      await act(handle, 'deliver', agency, { summary: 'v2' });
      await act(handle, 'review', reviewer('m-brand'), { decision: 'approve_with_changes', note: 'Imprint link' });
      await act(handle, 'handOverReview', reviewer('m-legal'), { to: 'm-legal-2' });
      await act(handle, 'approve', reviewer('m-legal-2'), {});
      const away = { from: new Date(Date.now() - HOUR).toISOString(), until: new Date(Date.now() + HOUR).toISOString() };
      await act(handle, 'review', reviewer('m-shop-deputy'), { decision: 'approve', onBehalfOf: 'm-shop-1', outOfOffice: away });
      await until(handle, (v) => v.status === 'approved');
    },
  },
  // Enough comments to continue as new a few times, then a delivery and approval in the last run.
  'continue-as-new': {
    input: (s) => ({ brief: brief(s), continueAsNewAfterEvents: 40 }),
    run: async (handle) => {
      await act(handle, 'acknowledge', agency, {});
      await settled(handle);
      for (let i = 1; i <= 6; i++) {
        await act(handle, 'comment', i % 2 ? agency : manager, { body: `comment ${i}` });
        await settled(handle);
      }
      await act(handle, 'deliver', agency, { summary: 'after continuing' });
      await settled(handle);
      await act(handle, 'approve', manager, {});
    },
  },
};

async function record(client: Client, scenario: ReplayScenario): Promise<Handle> {
  const { input, run } = scenarios[scenario];
  const workflowInput = input(scenario);
  const handle = await client.workflow.start<typeof briefWorkflow>('briefWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: briefWorkflowId(workflowInput.brief.id),
    args: [workflowInput],
  });
  await run(handle);
  return handle;
}

runRecording(() => recordHistories({ folder: historySetFolder('histories'), taskQueue: TASK_QUEUE, activities, scenarios: REPLAY_SCENARIOS, record }));
