// The escalations' schemas: the filters of the list and the stream, and the escalation as answered.
import { z } from 'zod';
import { CLOCKS } from '../../workflows/domain/vocabulary';
import { AGREEMENTS } from '../../workflows/domain/policy';
import { PageQuery } from '../pagination';
import { idString } from '../validate';

const Id = idString().meta({ example: 'b57f59f6-907f-4dc0-b3c1-e431ab3efe42' });
export const IdParams = z.object({ id: Id });

/** The filters the list and the stream share. */
const EscalationFilters = z.object({
  state: z.enum(['open', 'acknowledged']).optional(),
  briefId: idString().optional(),
  partyId: idString().optional().meta({ description: "Only this party's escalations; callers who see their own party only get nothing for another." }),
  programId: idString().optional().meta({ description: "Only the escalations of this program's briefs." }),
  clock: z.enum(CLOCKS).optional(),
  level: z.coerce.number().int().min(1).max(1000).optional().meta({ example: 1 }),
  since: z.iso.datetime({ offset: true }).optional().meta({ description: 'An ISO 8601 instant.', example: '2026-11-27T09:00:00Z' }),
});

export const ListEscalationsQuery = PageQuery.extend(EscalationFilters.shape).extend({
  since: EscalationFilters.shape.since.meta({ description: 'Only escalations raised at or after this instant (ISO 8601).', example: '2026-11-27T09:00:00Z' }),
});

/** Feed ids: positive integers that fit PostgreSQL's bigint. */
export const FEED_ID = /^\d{1,18}$/;
const FeedId = z.string().regex(FEED_ID, 'not an event id from this stream');

export const StreamEscalationsQuery = EscalationFilters.extend({
  state: EscalationFilters.shape.state.meta({ description: 'open: only escalation.raised events; acknowledged: only escalation.acknowledged events.' }),
  since: EscalationFilters.shape.since.meta({
    description: 'Only events that happened at or after this instant (ISO 8601); without Last-Event-ID the stream first replays them.',
    example: '2026-11-27T09:00:00Z',
  }),
  lastEventId: FeedId.optional().meta({ description: 'Resume after this event id, for clients that cannot send the Last-Event-ID header.', example: '42' }),
});

export const StreamHeaders = z.object({
  'last-event-id': FeedId.optional().meta({ description: 'The id of the last event received: the stream resumes after it, without loss or repeats.', example: '42' }),
});

export const EscalationSchema = z
  .object({
    id: Id,
    briefId: Id,
    partyId: Id,
    clock: z.enum(CLOCKS),
    level: z.number().int().min(1),
    state: z.enum(['open', 'acknowledged']),
    raisedAt: z.iso.datetime(),
    acknowledgedAt: z.iso.datetime().nullable(),
    acknowledgedBy: Id.nullable(),
    agreement: z.enum(AGREEMENTS as ['internal', 'external']).meta({ description: 'internal (an OLA with an internal team) or external (an SLA with an agency or supplier).' }),
    round: z.number().int().min(1).meta({ description: 'The round of the clock that breached (the review clock restarts with every delivery).' }),
    repeat: z.number().int().min(0).meta({ description: '0 for a level of the chain, n for the n-th repeat of its last level.' }),
    reescalation: z.boolean().meta({
      description: 'Raised again because the step was still not done a full target after an acknowledgement: the acknowledgement worked, the step is still late.',
    }),
    follows: Id.nullable().meta({ description: 'For a re-escalation, the id of the acknowledged escalation it follows up on; otherwise null.' }),
    programId: Id.nullable().meta({ description: 'The program the escalated brief belongs to (GET /v1/programs/{id}); null for a brief outside a program.' }),
  })
  .meta({ id: 'Escalation' });

type EscalationRow = {
  id: string;
  briefId: string;
  partyId: string;
  clock: string;
  level: number;
  state: string;
  raisedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  agreement: string;
  round: number;
  repeat: number;
  reescalation: boolean;
  follows: string | null;
  programId: string | null;
};
export const escalationJson = (e: EscalationRow) => ({
  id: e.id,
  briefId: e.briefId,
  partyId: e.partyId,
  clock: e.clock,
  level: e.level,
  state: e.state,
  raisedAt: e.raisedAt.toISOString(),
  acknowledgedAt: e.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: e.acknowledgedBy,
  agreement: e.agreement,
  round: e.round,
  repeat: e.repeat,
  reescalation: e.reescalation,
  follows: e.follows,
  programId: e.programId,
});
