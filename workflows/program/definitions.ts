// The messages of a program's workflow, defined beside it and shared with the API and activities.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BriefInput, ProgramContext } from '../domain/brief';
import type { NodeState } from '../domain/program';
import type { Actor } from '../domain/vocabulary';

/** A brief of a program, resolved by the API (policy, targets, plan): all but its id, which the program gives it when it starts. */
export interface ProgramBriefSpec {
  key: string;
  dependsOn: string[];
  brief: Omit<BriefInput, 'id'>;
}

export interface ProgramSpec {
  id: string;
  name: string;
  ownerId: string;
  /** The date the program should be done by (ISO 8601); null when it has none. */
  targetDate: string | null;
  /** The template it was started from, if any. */
  template: string | null;
  briefs: ProgramBriefSpec[];
}

/** What a started brief leaves for the briefs that depend on it: its last delivery. */
export type ProgramOutput = ProgramContext['inputs'][number];

export interface ProgramNodeState {
  key: string;
  state: NodeState;
  /** The brief of this key (its latest, after a replacement); null until it starts. */
  briefId: string | null;
  /** Briefs this key had before a replacement. */
  replaced: string[];
  /** The brief's status when it ended (approved, declined, cancelled). */
  outcome: string | null;
}

export type ProgramStatus = 'running' | 'completed' | 'cancelled';

export interface ProgramState {
  status: ProgramStatus;
  nodes: ProgramNodeState[];
  /** Each ended brief's last delivery, by key: what its dependents see. */
  outputs: Record<string, ProgramOutput>;
  /** Changes to the program in order (started, brief started/ended, added, replaced, dropped, cancelled). */
  seq: number;
  updatedAt: string;
}

export interface ProgramWorkflowInput {
  program: ProgramSpec;
  /** Carried by continue-as-new. */
  state?: ProgramState;
  /** The task queue the briefs' workflows run on. */
  briefTaskQueue?: string;
  /** Brief workflow options the API would pass (delivery retry, search attributes, ...). */
  briefOptions?: Record<string, unknown>;
}

export interface ProgramActor {
  actor: Actor;
}

/** What the API shows of a program's workflow once recorded. */
export interface ProgramSnapshot {
  program: ProgramSpec;
  state: ProgramState;
}

/**
 * What the read model records of a program: its state without the deliveries passed on, and its
 * spec only when it changed since the last record (the first record of a run, a brief added or
 * replaced), so that a program of many briefs never ships its whole spec with every change.
 */
export interface ProgramRecord {
  programId: string;
  program?: ProgramSpec;
  state: Omit<ProgramState, 'outputs'>;
}

/** The outbox event of the notice to a program's owner that a declined or cancelled brief holds others. */
export const PROGRAM_HELD_NOTICE_EVENT = 'program_brief_held';

/**
 * What the notice to a program's owner takes when a brief of the running program ended declined
 * or cancelled: ids, the brief's key, how it ended and the keys it holds. Names, titles and the
 * reason are read from the read model (the child's final view holds no events: they are recorded),
 * so the program's spec never travels with it.
 */
export interface ProgramHeldNoticeInput {
  /** The program's workflow id: with briefId, what keys the notice, so that a retry plans nothing twice. */
  workflowId: string;
  programId: string;
  ownerId: string;
  key: string;
  /** The brief that ended (the key's latest). */
  briefId: string;
  outcome: 'declined' | 'cancelled';
  /** The briefs it holds: its direct and transitive dependents still waiting, in the program's order. */
  held: string[];
}

/** What the program's updates answer, once the change is recorded: the API reads the rest from the read model. */
export interface ProgramAnswer {
  status: ProgramStatus;
  seq: number;
}

export const programQuery = defineQuery<ProgramSnapshot>('program');
/** Answers once everything the program has done so far is recorded. */
export const syncProgramUpdate = defineUpdate<ProgramAnswer>('syncProgram');
export const cancelProgramUpdate = defineUpdate<ProgramAnswer, [ProgramActor & { reason: string }]>('cancelProgram');
export const addProgramBriefUpdate = defineUpdate<ProgramAnswer, [ProgramActor & { brief: ProgramBriefSpec }]>('addProgramBrief');
export const replaceProgramBriefUpdate = defineUpdate<ProgramAnswer, [ProgramActor & { key: string; brief: Omit<BriefInput, 'id'> }]>('replaceProgramBrief');
export const dropProgramBriefUpdate = defineUpdate<ProgramAnswer, [ProgramActor & { key: string }]>('dropProgramBrief');

export const programWorkflowId = (programId: string) => `program-${programId}`;
