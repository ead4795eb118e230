// Every activity the worker registers, built over injected dependencies.
import { createDeliverNotification, createNotificationFailed, createPlanNotifications, type OutboxDeps } from './deliver';
import { createNotify } from './notify';
import { createRecordEvents } from './record-events';
import type { BriefActivities } from './types';

export type ActivityDeps = OutboxDeps;

export function createActivities(deps: ActivityDeps): BriefActivities {
  return {
    recordEvents: createRecordEvents(deps),
    notify: createNotify(deps),
    planNotifications: createPlanNotifications(deps),
    deliverNotification: createDeliverNotification(deps),
    notificationFailed: createNotificationFailed(deps),
  };
}
