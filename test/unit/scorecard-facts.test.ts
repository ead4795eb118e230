// The scorecard facts of a brief, checked by hand on a Berlin office calendar (Monday to Friday
// 09:00-17:00, Christmas Day a holiday): business time skips nights, the weekend and the holiday,
// and the steps' clocks stand still while a question is open or the brief is on hold.
import { zonedInstant, type Calendar } from '../../workflows/domain/calendar';
import type { EventData, TimelineEvent } from '../../workflows/domain/events';
import type { BriefEventType } from '../../workflows/domain/vocabulary';
import { FACTS_VERSION, scorecardFacts, type StepFacts } from '../../services/scorecards/facts';
import fc from 'fast-check';
import { ActionRejected, applyAction, type ActionName } from '../../workflows/domain/transitions';
import { CLOCKS } from '../../workflows/domain/vocabulary';
import { actors } from './fixtures';
import { MONDAY, policy, runUntil, stateAt } from './policy-fixtures';

const OFFICE: Calendar = {
  name: 'Berlin office',
  timezone: 'Europe/Berlin',
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: ['2026-12-25'],
};
const HOUR = 3_600_000;
/** A local Berlin instant, "2026-12-24 16:00". */
const at = (local: string) => new Date(zonedInstant('Europe/Berlin', local.slice(0, 10), local.slice(11))).toISOString();

function timeline(...entries: [string, BriefEventType, Record<string, unknown>?][]): TimelineEvent[] {
  return entries.map(([local, type, data], i) => ({ seq: i + 1, type, actor: null, at: at(local), data: (data ?? {}) as EventData[typeof type] }) as TimelineEvent);
}

const facts = (events: TimelineEvent[], createdAt: string) =>
  scorecardFacts({ briefId: 'b1', partyId: 'pixelwerk', agreement: 'external', priority: 'P2', createdAt: new Date(at(createdAt)), calendar: OFFICE, events });

const step = (steps: StepFacts[], name: StepFacts['step'], round: number) => {
  const found = steps.find((s) => s.step === name && s.round === round);
  if (!found) throw new Error(`no ${name} step of round ${round}`);
  return found;
};
const delivered = (version: number, local: string) => ({ version, summary: `v${version}`, links: [], submittedBy: 'm', submittedAt: at(local) });

describe('scorecard facts of a brief', () => {
  // Created the afternoon before Christmas, three delivery rounds, a question, a hold and a late redelivery.
  const events = timeline(
    ['2026-12-24 16:00', 'brief_created', { title: 't', partyId: 'pixelwerk', priority: 'P2' }],
    ['2026-12-28 10:00', 'acknowledged'],
    ['2026-12-28 11:00', 'clarification_requested', { question: 'Which sizes?' }],
    ['2026-12-29 10:00', 'clarification_answered', { answer: 'All of them' }],
    ['2026-12-29 12:00', 'delivered', delivered(1, '2026-12-29 12:00')],
    ['2026-12-30 10:00', 'changes_requested', { reason: 'colours', revision: 1 }],
    ['2026-12-30 11:00', 'brief_held', { reason: 'budget' }],
    ['2026-12-30 13:00', 'brief_resumed', { heldSince: at('2026-12-30 11:00') }],
    ['2026-12-30 15:00', 'delivered', delivered(2, '2026-12-30 15:00')],
    ['2026-12-31 09:30', 'changes_requested', { reason: 'typo', revision: 2 }],
    ['2026-12-31 09:50', 'sla_breached', { clock: 'deliver', dueAt: at('2026-12-31 09:50'), round: 3 }],
    ['2026-12-31 10:00', 'delivered', delivered(3, '2026-12-31 10:00')],
    ['2027-01-04 09:00', 'approved', { revision: 3 }],
  );
  const { brief, steps } = facts(events, '2026-12-24 16:00');

  test('acknowledging across Christmas Day and the weekend took two business hours', () => {
    // Thursday 16:00-17:00, Friday a holiday, the weekend, Monday 09:00-10:00.
    expect(step(steps, 'acknowledge', 1)).toMatchObject({ state: 'done', businessMs: 2 * HOUR, late: false, endedAt: new Date(at('2026-12-28 10:00')) });
  });

  test('the first delivery round stands still while the question is open', () => {
    // Monday 10:00-11:00, then paused until Tuesday 10:00, then 10:00-12:00.
    expect(step(steps, 'deliver', 1)).toMatchObject({ state: 'done', businessMs: 3 * HOUR, late: false });
    // The e-commerce team answered in Monday 11:00-17:00 plus Tuesday 09:00-10:00.
    expect(step(steps, 'answer', 1)).toMatchObject({ state: 'done', businessMs: 7 * HOUR, late: false });
  });

  test('reviews count working time across the night', () => {
    expect(step(steps, 'review', 1).businessMs).toBe(6 * HOUR); // Tuesday 12:00-17:00, Wednesday 09:00-10:00
    expect(step(steps, 'review', 2).businessMs).toBe(2.5 * HOUR); // Wednesday 15:00-17:00, Thursday 09:00-09:30
    // Thursday 10:00-17:00 and New Year's Day (a working day on this calendar); Monday 09:00 is the first minute.
    expect(step(steps, 'review', 3).businessMs).toBe(15 * HOUR);
  });

  test('a hold pauses the running step and counts as time held', () => {
    expect(step(steps, 'deliver', 2).businessMs).toBe(3 * HOUR); // Wednesday 10:00-15:00 less the two hours held
    expect(brief.heldMs).toBe(2 * HOUR);
  });

  test('a round whose clock breached is late', () => {
    expect(step(steps, 'deliver', 3)).toMatchObject({ state: 'done', businessMs: 0.5 * HOUR, late: true });
    expect(steps.filter((s) => s.late)).toHaveLength(1);
  });

  test('the brief was approved after three rounds with one question', () => {
    expect(brief).toMatchObject({ outcome: 'approved', rounds: 3, clarifications: 1, endedAt: new Date(at('2027-01-04 09:00')), factsVersion: FACTS_VERSION });
    expect(steps.map((s) => `${s.step}:${s.round}`).sort()).toEqual(
      ['acknowledge:1', 'answer:1', 'deliver:1', 'deliver:2', 'deliver:3', 'review:1', 'review:2', 'review:3'].sort(),
    );
    for (const s of steps) expect(s).toMatchObject({ partyId: 'pixelwerk', agreement: 'external', priority: 'P2', briefCreatedAt: new Date(at('2026-12-24 16:00')) });
  });

  test('a declined brief stops its open step, late when its clock had breached', () => {
    const declined = facts(
      timeline(
        ['2026-12-28 09:00', 'brief_created'],
        ['2026-12-28 12:00', 'sla_breached', { clock: 'acknowledge', dueAt: at('2026-12-28 12:00'), round: 1 }],
        ['2026-12-28 14:00', 'declined', { reason: 'no capacity' }],
      ),
      '2026-12-28 09:00',
    );
    expect(declined.brief).toMatchObject({ outcome: 'declined', rounds: 0, endedAt: new Date(at('2026-12-28 14:00')) });
    expect(declined.steps).toEqual([expect.objectContaining({ step: 'acknowledge', round: 1, state: 'stopped', businessMs: null, late: true })]);
  });

  test('a brief cancelled on hold counts its hold until the cancellation', () => {
    const cancelled = facts(
      timeline(
        ['2026-12-28 09:00', 'brief_created'],
        ['2026-12-28 09:30', 'acknowledged'],
        ['2026-12-28 16:00', 'brief_held'],
        ['2026-12-29 10:00', 'cancelled', { reason: 'season over' }],
      ),
      '2026-12-28 09:00',
    );
    expect(cancelled.brief).toMatchObject({ outcome: 'cancelled', heldMs: 2 * HOUR });
    expect(step(cancelled.steps, 'acknowledge', 1)).toMatchObject({ state: 'done', businessMs: 0.5 * HOUR });
    expect(step(cancelled.steps, 'deliver', 1)).toMatchObject({ state: 'stopped', businessMs: null, late: false });
  });

  test('an open brief has open steps: a breached one is already late', () => {
    const open = facts(
      timeline(['2026-12-28 09:00', 'brief_created'], ['2026-12-28 13:00', 'sla_breached', { clock: 'acknowledge', dueAt: at('2026-12-28 13:00'), round: 1 }]),
      '2026-12-28 09:00',
    );
    expect(open.brief).toMatchObject({ outcome: 'open', endedAt: null });
    expect(open.steps).toEqual([expect.objectContaining({ step: 'acknowledge', state: 'open', endedAt: null, businessMs: null, late: true })]);
  });

  test('events in any order give the same facts', () => {
    const shuffled = [...events].reverse();
    expect(facts(shuffled, '2026-12-24 16:00')).toEqual({ brief, steps });
  });
});

describe('scorecard facts agree with the clocks the workflow runs', () => {
  const ACTIONS: { action: ActionName; actor: keyof typeof actors; payload: Record<string, string> }[] = [
    { action: 'acknowledge', actor: 'agency', payload: {} },
    { action: 'askClarification', actor: 'agency', payload: { question: 'q' } },
    { action: 'answerClarification', actor: 'manager', payload: { answer: 'a' } },
    { action: 'deliver', actor: 'agency', payload: { summary: 's' } },
    { action: 'requestChanges', actor: 'manager', payload: { reason: 'r' } },
    { action: 'approve', actor: 'manager', payload: {} },
    { action: 'hold', actor: 'manager', payload: {} },
    { action: 'resume', actor: 'manager', payload: {} },
    { action: 'decline', actor: 'agency', payload: { reason: 'r' } },
    { action: 'cancel', actor: 'manager', payload: { reason: 'r' } },
  ];

  test('each finished step took the business time its clock counted, late exactly when the clock breached', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ pick: fc.nat(ACTIONS.length * 3), gapMinutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) }), { minLength: 1, maxLength: 25 }),
        (moves) => {
          let now = MONDAY('08:30');
          const state = stateAt(now);
          // What each clock had counted when it finished, by step and round.
          const counted = new Map<string, number>();
          for (const { pick, gapMinutes } of moves) {
            now += gapMinutes * 60_000;
            runUntil(state, now);
            // Mostly the legal moves that keep a brief going; now and then one that ends it.
            const move = ACTIONS[pick % ACTIONS.length];
            if ((move.action === 'decline' || move.action === 'cancel') && pick < ACTIONS.length * 2) continue;
            const before = Object.fromEntries(CLOCKS.map((name) => [name, { phase: state.clocks[name].phase, round: state.clocks[name].round }]));
            try {
              applyAction(state, move.action, move.payload as never, actors[move.actor], now);
            } catch (err) {
              if (err instanceof ActionRejected) continue;
              throw err;
            }
            for (const name of CLOCKS) {
              const clock = state.clocks[name];
              const was = before[name];
              if ((was.phase === 'running' || was.phase === 'paused') && clock.phase === 'done' && clock.round === was.round) counted.set(`${name}:${was.round}`, clock.accumulatedMs);
            }
            if (state.status === 'approved' || state.status === 'declined' || state.status === 'cancelled') break;
          }
          const { steps } = scorecardFacts({
            briefId: state.brief.id,
            partyId: state.brief.partyId,
            agreement: 'external',
            priority: state.brief.priority,
            createdAt: new Date(state.createdAt),
            calendar: policy().calendar,
            events: state.timeline,
          });
          for (const [stepKey, ms] of counted) {
            const [name, round] = stepKey.split(':');
            const found = steps.find((s) => s.step === name && s.round === Number(round));
            expect(found?.businessMs).toBe(ms);
            compared += 1;
          }
          const breaches = new Set(state.timeline.filter((e) => e.type === 'sla_breached').map((e) => `${e.data.clock}:${e.data.round}`));
          for (const s of steps.filter((x) => x.step !== 'answer')) expect(s.late).toBe(breaches.has(`${s.step}:${s.round}`));
        },
      ),
      { numRuns: 300 },
    );
    // The runs reach finished steps, not only refused moves.
    expect(compared).toBeGreaterThan(60);
  });
});
