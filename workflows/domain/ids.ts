/** The workflow id of a brief; the one place that derives it. */
export function briefWorkflowId(briefId: string): string {
  return `brief-${briefId}`;
}

/** The workflow id of an application of an SLA policy to its running briefs. */
export function policyApplicationWorkflowId(applicationId: string): string {
  return `policy-application-${applicationId}`;
}
