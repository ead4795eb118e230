// The zod schemas of the program routes: request validation and the documented answers.
import { z } from 'zod';
import { MAX_PROGRAM_BRIEFS } from '../../workflows/domain/program';
import { PRIORITIES } from '../../workflows/domain/vocabulary';
import { PageQuery } from '../pagination';
import { idString, nonBlankText } from '../validate';
import { CreateBriefBody } from './briefs.schemas';

const Id = idString().meta({ example: '3f0c2d8e-8a51-4c8e-b7f4-1d2a9c6e5b10' });
const Key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, up to 63')
  .meta({ example: 'supplier-data' });
const Timestamp = z.iso.datetime().meta({ example: '2027-01-15T00:00:00.000Z' });

export const ProgramParams = z.object({ id: Id });
export const ProgramBriefParams = z.object({ id: Id, key: Key });

/** A brief of a program: a brief's fields, with its key and the keys it depends on. */
export const ProgramBriefBody = CreateBriefBody.extend({
  key: Key,
  dependsOn: z.array(Key).max(50).default([]).meta({ description: 'Keys of the briefs that must be approved before this one starts.' }),
}).meta({ id: 'ProgramBriefInput' });

export const CreateProgramBody = z
  .union([
    z.strictObject({
      name: nonBlankText(200).meta({ example: 'Winter boots launch' }),
      targetDate: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().meta({ description: 'When the program should be done.', example: '2027-01-15' }),
      briefs: z.array(ProgramBriefBody).min(1).max(MAX_PROGRAM_BRIEFS),
    }),
    z.strictObject({
      template: z.string().min(1).max(100).meta({ description: 'A template of GET /v1/program-templates.', example: 'product-launch' }),
      name: nonBlankText(200).optional(),
      parameters: z.record(z.string(), z.string().max(2_000)).default({}),
    }),
  ])
  .meta({
    id: 'CreateProgram',
    description: 'Either the briefs of the program with their dependencies, or a template and its parameters.',
    example: {
      template: 'product-launch',
      parameters: {
        product: 'Winter boots',
        launchDate: '2027-01-15',
        supplierPartyId: 'p-supplier',
        dataAgencyPartyId: 'p-data',
        itPartyId: 'p-it',
        marketingPartyId: 'p-agency',
        seoPartyId: 'p-agency',
        customerServicePartyId: 'p-operations',
        logisticsPartyId: 'p-operations',
      },
    },
  });

export const CancelProgramBody = z.object({ reason: nonBlankText(5_000).meta({ example: 'Launch moved to spring' }) }).meta({ id: 'CancelProgram' });
export const ReplaceProgramBriefBody = z
  .strictObject({
    title: nonBlankText(200).optional(),
    description: nonBlankText(20_000).optional(),
    partyId: Id.optional().meta({ description: 'Another party to take the brief over.' }),
    priority: z.enum(PRIORITIES).optional(),
    dueAt: z.iso.datetime({ offset: true }).optional(),
    deliverables: z.array(nonBlankText(500)).max(100).optional(),
    reviewerId: Id.optional(),
  })
  .meta({ id: 'ReplaceProgramBrief', description: 'The new brief: the fields that change from the one it replaces (for example another partyId); the rest stays.' });

export const ListProgramsQuery = PageQuery.extend({ status: z.enum(['running', 'completed', 'cancelled']).optional() });

const ProgramBriefSchema = z.object({
  key: z.string(),
  title: z.string(),
  partyId: Id,
  dependsOn: z.array(z.string()),
  state: z.enum(['waiting', 'running', 'approved', 'failed', 'dropped', 'cancelled']),
  briefId: Id.nullable().meta({ description: 'The brief, once it has started and is recorded (a moment after its state turns running).' }),
  status: z.string().nullable().meta({ description: "The brief's status once it has started." }),
  blockedBy: z.array(z.string()).meta({ description: 'The dependencies that hold it (not yet approved, or declined and waiting for the owner).' }),
  projectedFinish: Timestamp.nullable(),
  replaced: z.array(Id),
});

export const ProgramSchema = z
  .object({
    id: Id,
    name: z.string(),
    ownerId: Id,
    status: z.enum(['running', 'completed', 'cancelled']),
    template: z.string().nullable(),
    targetDate: Timestamp.nullable(),
    briefs: z.array(ProgramBriefSchema),
    criticalPath: z.array(z.string()).meta({ description: 'The chain of briefs that decides the finish, by remaining business time.' }),
    projectedFinish: Timestamp.nullable(),
    onTrack: z.boolean().nullable().meta({ description: 'Projected to finish by the target date; null without one.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Program' });

export const ProgramTemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    parameters: z.record(z.string(), z.object({ type: z.enum(['text', 'party', 'date']), label: z.string(), required: z.boolean().optional() })),
    briefs: z.array(z.object({ key: z.string(), title: z.string(), partyId: z.string(), dependsOn: z.array(z.string()) })),
  })
  .meta({ id: 'ProgramTemplate' });
