// The custom search attributes of a brief's workflow, so that IT finds briefs in the Temporal UI
// (`HandoffStatus = "delivered" AND HandoffOverdue = true`) and the reconciler compares whole
// pages of running briefs with the read model in one visibility query. The namespace must have
// them registered: the API and the worker register them at start where the cluster allows it
// (lib/temporal/search-attributes.ts); briefs are started with `searchAttributes: true` only then.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BRIEF_STATUS = defineSearchAttributeKey('HandoffStatus', SearchAttributeType.KEYWORD);
export const BRIEF_PARTY = defineSearchAttributeKey('HandoffParty', SearchAttributeType.KEYWORD);
export const BRIEF_PRIORITY = defineSearchAttributeKey('HandoffPriority', SearchAttributeType.KEYWORD);
/** The next instant a clock of the brief fires (absent once none runs). */
export const BRIEF_NEXT_DUE_AT = defineSearchAttributeKey('HandoffNextDueAt', SearchAttributeType.DATETIME);
export const BRIEF_OVERDUE = defineSearchAttributeKey('HandoffOverdue', SearchAttributeType.BOOL);
/** The sequence number of the brief's last event recorded into the read model. */
export const BRIEF_RECORDED_SEQ = defineSearchAttributeKey('HandoffRecordedSeq', SearchAttributeType.INT);

export const BRIEF_SEARCH_ATTRIBUTES = [BRIEF_STATUS, BRIEF_PARTY, BRIEF_PRIORITY, BRIEF_NEXT_DUE_AT, BRIEF_OVERDUE, BRIEF_RECORDED_SEQ] as const;
