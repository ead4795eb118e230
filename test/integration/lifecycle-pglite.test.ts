import { describeLifecycle } from './lifecycle.scenario';

describeLifecycle('pglite');
