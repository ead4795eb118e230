// What the scorecards count of one brief, derived from its timeline: the brief's outcome, rounds,
// questions and time on hold, and every step (acknowledge, each round of deliver and review, each
// answer to a question) with the business time it took. Business time is counted on the brief's
// calendar the way its clocks count it: the acknowledge and deliver steps stand still while a
// question is open, every step while the brief is on hold. Whether a step was on time is what its
// clock said: a step is late when its clock recorded a breach (sla_breached) for that round.
//
// Pure: the read model's writer and the backfill hand it the events; reports only read its rows.
import type { Calendar } from '../../workflows/domain/calendar/calendar';
import { businessTimeBetween } from '../../workflows/domain/calendar/calendar';
import type { TimelineEvent } from '../../workflows/domain/events';
import type { BriefEventType } from '../../workflows/domain/vocabulary';

/** Raise it when the derivation changes: the worker then recomputes the rows of older versions. */
export const FACTS_VERSION = 1;

export const STEPS = ['acknowledge', 'deliver', 'review', 'answer'] as const;
export type StepName = (typeof STEPS)[number];
export type Outcome = 'open' | 'approved' | 'declined' | 'cancelled';

/** The events the facts depend on: a batch of other events (comments, warnings, escalations) leaves them as they are. */
export const FACT_EVENT_TYPES: readonly BriefEventType[] = [
  'brief_created',
  'acknowledged',
  'declined',
  'clarification_requested',
  'clarification_answered',
  'delivered',
  'changes_requested',
  'approved',
  'cancelled',
  'sla_breached',
  'brief_held',
  'brief_resumed',
  'brief_edited',
  'sla_policy_applied',
];

export interface FactsInput {
  briefId: string;
  partyId: string;
  agreement: string;
  priority: string;
  createdAt: Date;
  calendar: Calendar;
  /** The brief's timeline (at least the FACT_EVENT_TYPES), in any order. */
  events: readonly TimelineEvent[];
}

export interface BriefFacts {
  briefId: string;
  partyId: string;
  agreement: string;
  priority: string;
  createdAt: Date;
  outcome: Outcome;
  endedAt: Date | null;
  rounds: number;
  clarifications: number;
  heldMs: number;
  factsVersion: number;
}

export interface StepFacts {
  briefId: string;
  step: StepName;
  round: number;
  partyId: string;
  agreement: string;
  priority: string;
  briefCreatedAt: Date;
  startedAt: Date;
  endedAt: Date | null;
  state: 'done' | 'open' | 'stopped';
  businessMs: number | null;
  late: boolean;
}

/** A step while it is open: the business time counted so far and since when it runs (null: paused). */
interface OpenStep {
  step: StepName;
  round: number;
  startedAt: number;
  countedMs: number;
  runningSince: number | null;
}

export function scorecardFacts(input: FactsInput): { brief: BriefFacts; steps: StepFacts[] } {
  const { calendar } = input;
  const between = (from: number, to: number) => businessTimeBetween(calendar, from, to);
  const events = [...input.events].sort((a, b) => a.seq - b.seq);

  const open = new Map<string, OpenStep>();
  const closed: { step: OpenStep; endedAt: number; state: 'done' | 'stopped' }[] = [];
  const breached = new Set<string>();
  const key = (step: StepName, round: number) => `${step}:${round}`;
  let questionOpen = false;
  let heldSince: number | null = null;
  let heldMs = 0;
  let outcome: Outcome = 'open';
  let endedAt: number | null = null;
  let deliverRound = 0;
  let deliveries = 0;
  let questions = 0;

  /** Whether a step's clock runs now: none on hold; acknowledge and deliver not while a question is open. */
  const runs = (step: StepName) => heldSince === null && !(questionOpen && (step === 'acknowledge' || step === 'deliver'));
  /** Brings every open step's running state in line with the pauses, at `t`. */
  const syncPauses = (t: number) => {
    for (const s of open.values()) {
      if (s.runningSince !== null && !runs(s.step)) {
        s.countedMs += between(s.runningSince, t);
        s.runningSince = null;
      } else if (s.runningSince === null && runs(s.step)) {
        s.runningSince = t;
      }
    }
  };
  const start = (step: StepName, round: number, t: number) => {
    open.set(key(step, round), { step, round, startedAt: t, countedMs: 0, runningSince: runs(step) ? t : null });
  };
  const finish = (step: StepName, round: number, t: number, state: 'done' | 'stopped') => {
    const s = open.get(key(step, round));
    if (!s) return;
    if (s.runningSince !== null) s.countedMs += between(s.runningSince, t);
    s.runningSince = null;
    open.delete(key(step, round));
    closed.push({ step: s, endedAt: t, state });
  };
  const end = (result: Outcome, t: number) => {
    for (const s of [...open.values()]) finish(s.step, s.round, t, 'stopped');
    if (heldSince !== null) {
      heldMs += between(heldSince, t);
      heldSince = null;
    }
    outcome = result;
    endedAt = t;
  };

  for (const event of events) {
    const t = Date.parse(event.at);
    switch (event.type) {
      case 'brief_created':
        start('acknowledge', 1, t);
        break;
      case 'acknowledged':
        finish('acknowledge', 1, t, 'done');
        deliverRound += 1;
        start('deliver', deliverRound, t);
        break;
      case 'clarification_requested':
        questions += 1;
        questionOpen = true;
        start('answer', questions, t);
        syncPauses(t);
        break;
      case 'clarification_answered':
        questionOpen = false;
        finish('answer', questions, t, 'done');
        syncPauses(t);
        break;
      case 'delivered':
        finish('deliver', deliverRound, t, 'done');
        deliveries = Math.max(deliveries + 1, event.data.version);
        start('review', deliveries, t);
        break;
      case 'changes_requested':
        finish('review', deliveries, t, 'done');
        deliverRound += 1;
        start('deliver', deliverRound, t);
        break;
      case 'approved':
        finish('review', deliveries, t, 'done');
        end('approved', t);
        break;
      case 'declined':
        end('declined', t);
        break;
      case 'cancelled':
        end('cancelled', t);
        break;
      case 'sla_breached':
        breached.add(key(event.data.clock, event.data.round));
        break;
      case 'brief_held':
        heldSince ??= t;
        syncPauses(t);
        break;
      case 'brief_resumed':
        if (heldSince !== null) heldMs += between(heldSince, t);
        heldSince = null;
        syncPauses(t);
        break;
      default:
        break;
    }
  }

  const common = { briefId: input.briefId, partyId: input.partyId, agreement: input.agreement, priority: input.priority, briefCreatedAt: input.createdAt };
  const isLate = (s: OpenStep) => s.step !== 'answer' && breached.has(key(s.step, s.round));
  const steps: StepFacts[] = [
    ...closed.map(({ step: s, endedAt: at, state }) => ({
      ...common,
      step: s.step,
      round: s.round,
      startedAt: new Date(s.startedAt),
      endedAt: new Date(at),
      state,
      businessMs: state === 'done' ? s.countedMs : null,
      late: isLate(s),
    })),
    ...[...open.values()].map((s) => ({
      ...common,
      step: s.step,
      round: s.round,
      startedAt: new Date(s.startedAt),
      endedAt: null,
      state: 'open' as const,
      businessMs: null,
      late: isLate(s),
    })),
  ];
  return {
    brief: {
      briefId: input.briefId,
      partyId: input.partyId,
      agreement: input.agreement,
      priority: input.priority,
      createdAt: input.createdAt,
      outcome,
      endedAt: endedAt === null ? null : new Date(endedAt),
      rounds: deliveries,
      clarifications: questions,
      heldMs,
      factsVersion: FACTS_VERSION,
    },
    steps,
  };
}
