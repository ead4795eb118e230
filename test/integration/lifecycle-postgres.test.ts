import { describeLifecycle } from './lifecycle.scenario';

describeLifecycle('postgres');
