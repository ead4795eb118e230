// Every activity the worker registers, built over injected dependencies.
import { createNotify, type NotifyDeps } from './notify';
import { createRecordEvents } from './record-events';
import type { BriefActivities } from './types';

export type ActivityDeps = NotifyDeps;

export function createActivities(deps: ActivityDeps): BriefActivities {
  return {
    recordEvents: createRecordEvents(deps),
    notify: createNotify(deps),
  };
}
