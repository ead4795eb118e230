export { briefWorkflow } from './brief/workflow';
export { policyApplicationWorkflow } from './policy-application/workflow';
export { programWorkflow } from './program/workflow';
export { reconcilerWorkflow } from './reconciler/workflow';
export { monthlyScorecardsWorkflow } from './scorecards/workflow';
