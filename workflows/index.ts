export { briefWorkflow } from './brief/workflow';
