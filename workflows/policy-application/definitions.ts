// The input of a policy application: small on purpose. What the application does to each brief,
// and its progress, live in the database (written by its activities), not in the workflow.
import type { BriefCursor } from '../../activities/types';

/** Briefs read, and applied to, per page. */
export const POLICY_APPLICATION_PAGE_SIZE = 100;

export interface PolicyApplicationInput {
  /** The sla_policy_applications row the API created: the policy, its version and the actor. */
  applicationId: string;
  /** Briefs per page; POLICY_APPLICATION_PAGE_SIZE unless set. */
  pageSize?: number;
  /** Carried by continue-as-new: the last brief the previous run went through. */
  after?: BriefCursor;
  /** Continue as new once history holds this many events, besides whenever the server suggests it. */
  continueAsNewAfterEvents?: number;
}
