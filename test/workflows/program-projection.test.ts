// A program's critical path and projected finish on the time-skipping server, checked by hand:
// four briefs (a -> b, a -> c -> d), two on a Mon-Fri 09:00-17:00 calendar and two round the
// clock, projected from each brief's clocks as its own workflow reports them at the server's time.
// The projection moves as the work does: an early acknowledgement brings the finish forward, a
// breached delivery pushes it back, an approval starts the next briefs.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { actionUpdates, briefQuery } from '../../workflows/brief/definitions';
import type { BriefView } from '../../workflows/domain/brief';
import { CALENDAR_24X7, type Calendar } from '../../workflows/domain/calendar';
import { briefWorkflowId } from '../../workflows/domain/ids';
import type { BriefSla } from '../../workflows/domain/policy';
import type { ActionName, ActionPayloads } from '../../workflows/domain/transitions';
import type { Actor } from '../../workflows/domain/vocabulary';
import { programQuery, programWorkflowId, type ProgramSnapshot, type ProgramSpec } from '../../workflows/program/definitions';
import { projectProgram, type LiveClocks } from '../../workflows/program/projection';
import type { programWorkflow } from '../../workflows/program/workflow';
import { actors, briefInput, DAY, HOUR, MINUTE, recordingActivities, withTimeSkippingServer, workflowBundle } from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const OFFICE: Calendar = {
  name: 'Office',
  timezone: 'UTC',
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: [],
};

const slaOn = (calendar: Calendar): BriefSla => ({
  policyId: 'default',
  policyName: 'Default',
  policyVersion: 1,
  calendarId: calendar === CALENDAR_24X7 ? null : 'office',
  calendarVersion: 1,
  calendar,
  policyTargets: { acknowledge: {}, deliver: {}, review: {} },
  warnAt: 0.75,
  escalation: { levels: [] },
  agreement: 'external',
  reescalate: false,
});

/** A brief of the program with its targets in hours, on a calendar. */
function spec(key: string, dependsOn: string[], calendar: Calendar, [acknowledge, deliver, review]: [number, number, number]) {
  const { id: _id, ...brief } = briefInput({ title: `Brief ${key}`, targetsMs: { acknowledge: acknowledge * HOUR, deliver: deliver * HOUR, review: review * HOUR }, sla: slaOn(calendar) });
  return { key, dependsOn, brief };
}

/** The next Monday 09:00 UTC at or after `ms`. */
function nextMonday9(ms: number): number {
  const day = new Date(ms);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  const daysAhead = (8 - new Date(midnight).getUTCDay()) % 7;
  const candidate = midnight + daysAhead * DAY + 9 * HOUR;
  return candidate >= ms ? candidate : candidate + 7 * DAY;
}

test('the critical path and projected finish follow the work, on each brief’s own calendar', async () => {
  const acts = recordingActivities();
  const taskQueue = `projection-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...acts, async recordProgram() {}, async cancelProgramBrief() {} },
  });
  await worker.runUntil(async () => {
    const monday = nextMonday9(await env.currentTimeMs());
    await env.sleep(monday - (await env.currentTimeMs()));
    const at = (dayOffset: number, hour: number) => monday + dayOffset * DAY + (hour - 9) * HOUR;
    const program: ProgramSpec = {
      id: randomUUID(),
      name: 'Hand check',
      ownerId: actors.manager.memberId,
      targetDate: null,
      template: null,
      briefs: [spec('a', [], OFFICE, [2, 8, 4]), spec('b', ['a'], CALENDAR_24X7, [1, 24, 2]), spec('c', ['a'], OFFICE, [2, 16, 4]), spec('d', ['c'], CALENDAR_24X7, [1, 8, 1])],
    };
    const handle = await env.client.workflow.start<typeof programWorkflow>('programWorkflow', { taskQueue, workflowId: programWorkflowId(program.id), args: [{ program, briefTaskQueue: taskQueue }] });

    /** The program's state once `ready`, and its projection from its briefs' own clocks, at the server's time. */
    async function projected(ready: (s: ProgramSnapshot) => boolean) {
      const until = Date.now() + 15_000;
      let snapshot = await handle.query(programQuery);
      while (!ready(snapshot)) {
        if (Date.now() > until) throw new Error(`program never got there: ${JSON.stringify(snapshot.state.nodes)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
        snapshot = await handle.query(programQuery);
      }
      const clocks = new Map<string, LiveClocks>();
      for (const node of snapshot.state.nodes) {
        if (node.state === 'running' && node.briefId) clocks.set(node.briefId, (await env.client.workflow.getHandle(briefWorkflowId(node.briefId)).query(briefQuery)).sla);
      }
      const now = await env.currentTimeMs();
      return { snapshot, now, projection: projectProgram(snapshot.program, snapshot.state, (id) => clocks.get(id), now) };
    }
    const briefId = (s: ProgramSnapshot, key: string) => s.state.nodes.find((n) => n.key === key)?.briefId as string;
    const act = <A extends ActionName>(id: string, action: A, actor: Actor, payload: ActionPayloads[A]) =>
      env.client.workflow.getHandle(briefWorkflowId(id)).executeUpdate(actionUpdates[action], { args: [{ actor, payload }] }) as Promise<BriefView>;
    // The server's clock runs on while the test waits for the workflows: a few seconds at most.
    const expectAt = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(MINUTE);

    // Monday 09:00, a just started. a: 2 + 8 + 4 = 14 office hours -> Tue 15:00. b: 27 h round the
    // clock -> Wed 18:00. c: 22 office hours -> Tue 2 h, Wed 8 h, Thu 8 h, Fri 4 h -> Fri 13:00.
    // d: 10 h round the clock -> Fri 23:00, the program's finish, along a, c, d.
    let { snapshot, now, projection } = await projected((s) => s.state.nodes[0].briefId !== null);
    expectAt(now, monday);
    expectAt(projection.finishAt.a, at(1, 15));
    expectAt(projection.finishAt.b, at(2, 18));
    expectAt(projection.finishAt.c, at(4, 13));
    expectAt(projection.finishAt.d, at(4, 23));
    expectAt(projection.finishAtMs, at(4, 23));
    expect(projection.criticalPath).toEqual(['a', 'c', 'd']);

    // Monday 10:00, a acknowledged an hour early: 8 + 4 office hours left -> Tue 14:00; everything after, an hour earlier.
    await env.sleep(at(0, 10) - (await env.currentTimeMs()));
    await act(briefId(snapshot, 'a'), 'acknowledge', actors.agency, {});
    ({ now, projection } = await projected(() => true));
    expectAt(now, at(0, 10));
    expectAt(projection.finishAt.a, at(1, 14));
    expectAt(projection.finishAt.c, at(4, 12));
    expectAt(projection.finishAtMs, at(4, 22));
    expect(projection.criticalPath).toEqual(['a', 'c', 'd']);

    // Tuesday 12:00: the delivery was due Tue 10:00 and breached; only the review's 4 office hours
    // are left of a, from now -> Tue 16:00; c: Tue 1 h, Wed 8, Thu 8, Fri 5 -> Fri 14:00; d -> Sat 00:00.
    await env.sleep(at(1, 12) - (await env.currentTimeMs()));
    ({ snapshot, now, projection } = await projected(() => true));
    expectAt(now, at(1, 12));
    const a = await env.client.workflow.getHandle(briefWorkflowId(briefId(snapshot, 'a'))).query(briefQuery);
    expect(a.sla.deliver.state).toBe('breached');
    expectAt(projection.finishAt.a, at(1, 16));
    expectAt(projection.finishAt.c, at(4, 14));
    expectAt(projection.finishAtMs, at(5, 0));

    // Tuesday 12:00, a delivered and approved: b and c start now. c: Tue 5 h, Wed 8, Thu 8, Fri 1
    // -> Fri 10:00; d -> Fri 20:00; b -> Wed 15:00. The path is c, d: a is done.
    await act(briefId(snapshot, 'a'), 'deliver', actors.agency, { summary: 'supplier data', links: ['https://files.example/data.csv'] });
    await act(briefId(snapshot, 'a'), 'approve', actors.manager, {});
    ({ projection } = await projected((s) => s.state.nodes.filter((n) => n.state === 'running' && n.briefId).length === 2));
    expect(projection.remainingMs.a).toBe(0);
    expectAt(projection.finishAt.b, at(2, 15));
    expectAt(projection.finishAt.c, at(4, 10));
    expectAt(projection.finishAtMs, at(4, 20));
    expect(projection.criticalPath).toEqual(['c', 'd']);
    await handle.terminate('hand check done');
  });
}, 120_000);
