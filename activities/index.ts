// Every activity the worker registers, built over injected dependencies.
import { createDeliverNotification, createNotificationFailed, createPlanNotifications, type OutboxDeps } from './deliver';
import { createNotify } from './legacy/notify';
import { failingPermanently } from './permanent-failures';
import { createPolicyApplicationActivities, type PolicyApplicationDeps } from './policy-application';
import { createPlanProgramHeldNotice } from './program-held-notice';
import { createProgramActivities } from './programs';
import { createReconcilePage, type ReconcilerDeps } from './reconcile';
import { createRecordEvents } from './record-events';
import { createPlanScorecardEmails } from './scorecard-emails';
import type { BriefActivities, PolicyApplicationActivities, ProgramActivities, ReconcilerActivities, ScorecardEmailActivities } from './types';

export type ActivityDeps = OutboxDeps & PolicyApplicationDeps & ReconcilerDeps;

export function createActivities(deps: ActivityDeps): BriefActivities & PolicyApplicationActivities & ReconcilerActivities & ScorecardEmailActivities & ProgramActivities {
  return {
    recordEvents: failingPermanently('recordEvents', deps, createRecordEvents(deps), (input) => input.state.brief.id),
    notify: createNotify(deps),
    planNotifications: failingPermanently('planNotifications', deps, createPlanNotifications(deps), (input) => input.brief.id),
    deliverNotification: createDeliverNotification(deps),
    notificationFailed: failingPermanently('notificationFailed', deps, createNotificationFailed(deps), () => undefined),
    ...createPolicyApplicationActivities(deps),
    reconcilePage: createReconcilePage(deps),
    planScorecardEmails: createPlanScorecardEmails(deps),
    ...createProgramActivities(deps),
    planProgramHeldNotice: failingPermanently('planProgramHeldNotice', deps, createPlanProgramHeldNotice(deps), (input) => input.briefId),
  };
}
