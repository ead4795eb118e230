// What a well-behaved API client does when Handoff is in trouble: it sends the same request with
// the same Idempotency-Key again after a lost connection or a 503, until another answer comes.
import type { ApiResponse } from './http';

export interface Retried {
  answer: ApiResponse;
  /** Sends, the last one included. */
  attempts: number;
  /** Of them, the ones answered 503. */
  unavailable: number;
}

export interface RetryOptions {
  timeoutMs?: number;
  pauseMs?: number;
  /** Gives up (throws) once aborted: a test that failed stops its clients. */
  signal?: AbortSignal;
}

export async function untilAnswered(send: () => Promise<ApiResponse>, { timeoutMs = 180_000, pauseMs = 500, signal }: RetryOptions = {}): Promise<Retried> {
  const deadline = Date.now() + timeoutMs;
  let unavailable = 0;
  for (let attempts = 1; ; attempts++) {
    if (signal?.aborted) throw new Error('stopped: the test is over');
    // fetch's errors come from another realm than jest's: no instanceof Error here.
    const answer = await send().catch((err: unknown) => ({ lost: String(err) }));
    if ('status' in answer && answer.status !== 503) return { answer, attempts, unavailable };
    if ('status' in answer) unavailable += 1;
    if (Date.now() > deadline) throw new Error(`still no answer after ${attempts} attempts: ${'status' in answer ? JSON.stringify(answer.body) : answer.lost}`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** A request whose outcome is noted when it comes, so that a test knows whether it is still in flight. */
export function inFlight(request: Promise<ApiResponse>): { readonly settled: boolean; outcome: Promise<ApiResponse | { lost: string }> } {
  let settled = false;
  const outcome = request.then(
    (answer) => ((settled = true), answer),
    (err: unknown) => ((settled = true), { lost: String(err) }),
  );
  return {
    get settled() {
      return settled;
    },
    outcome,
  };
}
