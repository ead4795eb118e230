/** The workflow id of a brief; the one place that derives it. */
export function briefWorkflowId(briefId: string): string {
  return `brief-${briefId}`;
}
