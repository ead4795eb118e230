// Turns what the Temporal client throws for a brief's workflow into API errors.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError, conflict } from './errors';

export function translateWorkflowError(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      if (cause.type === 'Forbidden') return new ApiError('forbidden', cause.message);
      if (cause.type === 'IllegalTransition') return conflict(cause.message);
      if (cause.type === 'PreconditionFailed') {
        return new ApiError('precondition-failed', 'the brief has changed since this ETag was read; read it again and retry the edit');
      }
      if (cause.type === 'InvalidInput') return new ApiError('validation', cause.message);
      if (cause.type === 'NotFound') return new ApiError('not-found', cause.message);
    }
    return conflict(cause?.message ?? err.message);
  }
  if (err instanceof WorkflowNotFoundError) return conflict('the brief has ended and accepts no further actions');
  return err;
}
