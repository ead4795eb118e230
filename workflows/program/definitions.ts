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

export const programQuery = defineQuery<ProgramSnapshot>('program');
/** Answers once everything the program has done so far is recorded. */
export const syncProgramUpdate = defineUpdate<ProgramSnapshot>('syncProgram');
export const cancelProgramUpdate = defineUpdate<ProgramSnapshot, [ProgramActor & { reason: string }]>('cancelProgram');
export const addProgramBriefUpdate = defineUpdate<ProgramSnapshot, [ProgramActor & { brief: ProgramBriefSpec }]>('addProgramBrief');
export const replaceProgramBriefUpdate = defineUpdate<ProgramSnapshot, [ProgramActor & { key: string; brief: Omit<BriefInput, 'id'> }]>('replaceProgramBrief');
export const dropProgramBriefUpdate = defineUpdate<ProgramSnapshot, [ProgramActor & { key: string }]>('dropProgramBrief');

export const programWorkflowId = (programId: string) => `program-${programId}`;
