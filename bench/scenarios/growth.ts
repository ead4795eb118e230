// growth: one brief through many comments and revision rounds (deliver, then request changes),
// then a last delivery and the approval. Its histories (every run, following continue-as-new)
// are summed; the largest single payload in any of them is what must stay far below Temporal's
// 2 MB limit, and the total far below its 50 MB history limit.
import { briefWorkflowId } from '../../workflows/domain/ids';
import { apiClient } from '../api-client';
import type { BenchContext, ScenarioResult } from '../context';
import { awaitClosed } from '../completion';
import { continueAsNewSuggestedAt, fetchRunChain, historyBytes, largestPayload } from '../histories';
import { Progress } from '../progress';
import { latencySummary, round } from '../stats';

export interface GrowthFigures {
  historyBytes: number;
  largestPayloadBytes: number;
  /** How often the brief continued as new (its runs less one). */
  continuedAsNew: number;
}

const COMMENT = 'Looks good so far. Please keep the hero image at 1920x600, use the brand red for the call to action, and check the German umlauts in the teaser copy before the next round.';

export async function growth(ctx: BenchContext): Promise<ScenarioResult<GrowthFigures>> {
  const { url, directory } = ctx.stack;
  const manager = apiClient(url, directory.keys.manager);
  const member = apiClient(url, directory.keys.member);
  const { comments, rounds } = ctx.options;
  const progress = new Progress('growth', comments + 2 * rounds + 4, 'actions');
  const latencies: number[] = [];
  const act = async (client: typeof manager, path: string, body: unknown) => {
    const { body: answer, ms } = await client.call<{ id: string }>('POST', path, body);
    latencies.push(ms);
    progress.tick();
    return answer;
  };

  const began = Date.now();
  const { id } = await act(manager, '/v1/briefs', {
    title: 'Winter campaign landing page',
    description: 'Hero banner, three teasers and a newsletter box for the winter campaign.',
    partyId: directory.agencyPartyId,
    priority: 'P2',
    deliverables: ['hero banner', 'three teasers', 'newsletter box'],
  });
  const brief = `/v1/briefs/${id}`;
  await act(member, `${brief}/acknowledge`, { note: 'On it' });
  let commented = 0;
  const commentUpTo = async (total: number) => {
    for (; commented < total; commented++) {
      await act(commented % 2 === 0 ? member : manager, `${brief}/comments`, { body: `${COMMENT} (${commented + 1})` });
    }
  };
  for (let round = 1; round <= rounds; round++) {
    // The comments spread evenly over the rounds.
    await commentUpTo(Math.floor((round * comments) / (rounds + 1)));
    await act(member, `${brief}/deliveries`, { summary: `Revision ${round}`, links: [`https://files.example/revision-${round}.zip`] });
    await act(manager, `${brief}/request-changes`, { reason: `Round ${round}: bigger logo, shorter teaser copy.` });
  }
  await commentUpTo(comments);
  await act(member, `${brief}/deliveries`, { summary: 'Final revision', links: ['https://files.example/final.zip'] });
  await act(manager, `${brief}/approve`, { note: 'Ship it' });
  const drivenMs = Date.now() - began;

  const workflowId = briefWorkflowId(id);
  const { open } = await awaitClosed(ctx.temporal, [workflowId], 120_000, 'growth: brief finishing');
  const runs = await fetchRunChain(ctx.temporal, workflowId);
  const bytesPerRun = runs.map((h) => historyBytes(h));
  const largest = runs.map((h) => largestPayload(h)).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const tenth = Math.max(1, Math.floor(latencies.length / 10));
  return {
    figures: {
      historyBytes: bytesPerRun.reduce((a, b) => a + b, 0),
      largestPayloadBytes: largest.bytes,
      continuedAsNew: runs.length - 1,
    },
    detail: {
      comments,
      rounds,
      actions: latencies.length,
      stillOpen: open.length > 0,
      drivenSec: round(drivenMs / 1000),
      runs: runs.length,
      bytesPerRun,
      eventsPerRun: runs.map((h) => h.events?.length ?? 0),
      // Where in each run Temporal first suggested continuing as new (null: it did not).
      continueAsNewSuggestedAtEvent: runs.map((h) => continueAsNewSuggestedAt(h) ?? null),
      largestPayloadAt: largest.where,
      // Whether actions slow down as the brief grows: its first and last tenth.
      latencyMs: { all: latencySummary(latencies), firstTenth: latencySummary(latencies.slice(0, tenth)), lastTenth: latencySummary(latencies.slice(-tenth)) },
    },
  };
}
