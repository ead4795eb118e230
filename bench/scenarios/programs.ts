// programs: one program of many dependent briefs (layers of five, each brief depending on two of
// the layer before), driven to completion through the API: every brief is acknowledged, delivered
// and approved as soon as it starts. The program's workflow history (its runs summed) and the
// largest payload in it are what must stay far below Temporal's limits (50 MB, 2 MB).
import { programWorkflowId } from '../../workflows/program/definitions';
import { apiClient } from '../api-client';
import type { BenchContext, ScenarioResult } from '../context';
import { awaitClosed } from '../completion';
import { fetchRunChain, historyBytes, largestPayload } from '../histories';
import { Progress } from '../progress';
import { round } from '../stats';

export interface ProgramFigures {
  historyBytes: number;
  largestPayloadBytes: number;
}

const WIDTH = 5;

interface ProgramAnswer {
  id: string;
  status: string;
  briefs: { key: string; state: string; briefId: string | null }[];
}

export async function programs(ctx: BenchContext): Promise<ScenarioResult<ProgramFigures>> {
  const { url, directory } = ctx.stack;
  const manager = apiClient(url, directory.keys.manager);
  const member = apiClient(url, directory.keys.member);
  const n = ctx.options.programBriefs;
  const progress = new Progress('programs', n, 'briefs');
  const briefs = Array.from({ length: n }, (_, i) => {
    const layer = Math.floor(i / WIDTH);
    const dependsOn = layer === 0 ? [] : [...new Set([((i % WIDTH) + 0) % WIDTH, ((i % WIDTH) + 1) % WIDTH].map((j) => `brief-${(layer - 1) * WIDTH + j}`))];
    return {
      key: `brief-${i}`,
      title: `Launch step ${i + 1}`,
      description: 'Product data, enrichment, shop import, campaign and readiness steps of a large launch.',
      partyId: directory.agencyPartyId,
      priority: 'P2',
      dependsOn,
    };
  });
  const began = Date.now();
  const { body: created } = await manager.call<ProgramAnswer>('POST', '/v1/programs', { name: `Bench launch ${began}`, briefs });
  const driven = new Set<string>();
  const drive = async (briefId: string) => {
    await member.call('POST', `/v1/briefs/${briefId}/acknowledge`, {});
    await member.call('POST', `/v1/briefs/${briefId}/deliveries`, { summary: 'Done', links: ['https://files.example/step.zip'] });
    await manager.call('POST', `/v1/briefs/${briefId}/approve`, {});
    progress.tick();
  };
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const { body: program } = await manager.call<ProgramAnswer>('GET', `/v1/programs/${created.id}`);
    if (program.status !== 'running') break;
    if (Date.now() > deadline) throw new Error('programs: the program did not complete within 30 minutes');
    const ready = program.briefs.filter((b) => b.state === 'running' && b.briefId && !driven.has(b.briefId));
    for (const b of ready) driven.add(b.briefId as string);
    await Promise.all(ready.map((b) => drive(b.briefId as string)));
    if (ready.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const drivenMs = Date.now() - began;
  const workflowId = programWorkflowId(created.id);
  const { open } = await awaitClosed(ctx.temporal, [workflowId], 120_000, 'programs: program finishing');
  const runs = await fetchRunChain(ctx.temporal, workflowId);
  const largest = runs.map((h) => largestPayload(h)).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return {
    figures: { historyBytes: runs.map((h) => historyBytes(h)).reduce((a, b) => a + b, 0), largestPayloadBytes: largest.bytes },
    detail: {
      briefs: n,
      layers: Math.ceil(n / WIDTH),
      stillOpen: open.length > 0,
      drivenSec: round(drivenMs / 1000),
      runs: runs.length,
      events: runs.map((h) => h.events?.length ?? 0),
      largestPayloadAt: largest.where,
    },
  };
}
