// Keeps a brief's search attributes (search-attributes.ts) in step with what the read model has
// recorded: one upsert after each flush, with the attributes that changed.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { BriefState } from '../domain/brief';
import { BRIEF_NEXT_DUE_AT, BRIEF_OVERDUE, BRIEF_PARTY, BRIEF_PRIORITY, BRIEF_RECORDED_SEQ, BRIEF_STATUS } from './search-attributes';

export interface Indexed {
  state: BriefState;
  recordedSeq: number;
  overdue: boolean;
  nextDueAt: string | null;
}

/** The indexer of one run: it remembers what it set, so that an unchanged attribute is not sent again. */
export function briefIndexer(): (indexed: Indexed) => void {
  const last = new Map<string, string>();
  return ({ state, recordedSeq, overdue, nextDueAt }) => {
    const pairs: SearchAttributeUpdatePair[] = [];
    const set = (pair: SearchAttributeUpdatePair) => {
      const value = JSON.stringify(pair.value);
      if (last.get(pair.key.name) === value) return;
      last.set(pair.key.name, value);
      pairs.push(pair);
    };
    set({ key: BRIEF_STATUS, value: state.status });
    set({ key: BRIEF_PARTY, value: state.brief.partyId });
    set({ key: BRIEF_PRIORITY, value: state.brief.priority });
    set({ key: BRIEF_OVERDUE, value: overdue });
    set({ key: BRIEF_NEXT_DUE_AT, value: nextDueAt ? new Date(nextDueAt) : null });
    set({ key: BRIEF_RECORDED_SEQ, value: recordedSeq });
    if (pairs.length > 0) upsertSearchAttributes(pairs);
  };
}
