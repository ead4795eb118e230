// What every scenario works with.
import type { Client } from '@temporalio/client';
import type { BenchOptions } from './options';
import type { Stack } from './stack';

export interface BenchContext {
  stack: Stack;
  /** A Temporal client on the stack's server: starts the baseline, reads histories. */
  temporal: Client;
  options: BenchOptions;
}

/** A scenario's answer: the figures the issue names (exactly those), and what explains them. */
export interface ScenarioResult<F> {
  figures: F;
  detail: Record<string, unknown>;
}
