import fc from 'fast-check';
import { addBusinessTime, CALENDAR_24X7, type Calendar } from '../../workflows/domain/calendar';
import { blockedBy, graphProblems, programDone, project, readyToStart, targetInstant, topologicalOrder, type NodeState, type ProgramNode } from '../../workflows/domain/program';
import { expandTemplate, loadTemplates, parseTemplate } from '../../services/programs/templates';
import { ActionRejected } from '../../workflows/domain/steps';
import { MAX_PROGRAM_BRIEFS } from '../../workflows/domain/program';
import { addBrief, initialProgramState } from '../../workflows/program/state';
import type { ProgramSpec } from '../../workflows/program/definitions';
import { actors, briefInput } from '../support/briefs';

const HOUR = 3_600_000;
const node = (key: string, ...dependsOn: string[]): ProgramNode => ({ key, dependsOn });

/** The product launch: supplier -> enrichment -> import -> (campaign, landing pages) -> (service, logistics). */
const LAUNCH = [
  node('supplier-data'),
  node('data-enrichment', 'supplier-data'),
  node('shop-import', 'data-enrichment'),
  node('marketing-campaign', 'shop-import'),
  node('seo-landing-pages', 'shop-import'),
  node('customer-service-briefing', 'marketing-campaign', 'seo-landing-pages'),
  node('logistics-readiness', 'marketing-campaign', 'seo-landing-pages'),
];

const statesOf = (nodes: ProgramNode[], set: Record<string, NodeState> = {}) => Object.fromEntries(nodes.map((n) => [n.key, set[n.key] ?? 'waiting'])) as Record<string, NodeState>;

describe('the graph of a program', () => {
  it('names duplicate keys, unknown references, self-references and each cycle once with its keys', () => {
    expect(graphProblems(LAUNCH)).toEqual([]);
    const problems = graphProblems([node('a', 'c'), node('b', 'a'), node('c', 'b'), node('x'), node('x'), node('d', 'nope'), node('e', 'e')]);
    expect(problems.map((p) => [p.kind, p.keys])).toEqual([
      ['duplicate', ['x']],
      ['unknown', ['d', 'nope']],
      ['self', ['e']],
      ['cycle', ['a', 'c', 'b']],
    ]);
    expect(problems.find((p) => p.kind === 'cycle')?.message).toBe('a cycle: a -> c -> b -> a');
  });

  it('orders every brief after its dependencies, for any DAG', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 1, maxLength: 12 }), (raw) => {
        // Each brief depends only on briefs before it: a DAG, listed in a shuffled order.
        const nodes = raw.map((deps, i) => node(`k${i}`, ...[...new Set(deps.filter((d) => d < i).map((d) => `k${d % Math.max(i, 1)}`))]));
        const shuffled = [...nodes].reverse();
        expect(graphProblems(shuffled)).toEqual([]);
        const order = topologicalOrder(shuffled);
        expect(order.sort()).toEqual(nodes.map((n) => n.key).sort());
        const at = new Map(topologicalOrder(shuffled).map((k, i) => [k, i]));
        for (const n of nodes) for (const d of n.dependsOn) expect(at.get(d)).toBeLessThan(at.get(n.key) as number);
      }),
    );
  });

  it('starts only the roots, then each brief once all its dependencies are approved; parallel branches run side by side', () => {
    let states = statesOf(LAUNCH);
    expect(readyToStart(LAUNCH, states)).toEqual(['supplier-data']);
    states = { ...states, 'supplier-data': 'approved', 'data-enrichment': 'approved', 'shop-import': 'approved' };
    expect(readyToStart(LAUNCH, states)).toEqual(['marketing-campaign', 'seo-landing-pages']);
    states = { ...states, 'marketing-campaign': 'approved', 'seo-landing-pages': 'running' };
    expect(readyToStart(LAUNCH, states)).toEqual([]);
    expect(blockedBy(LAUNCH, states)).toEqual({ 'customer-service-briefing': ['seo-landing-pages'], 'logistics-readiness': ['seo-landing-pages'] });
  });

  it('holds the dependents of a failed brief until it is dropped (or replaced)', () => {
    const states = statesOf(LAUNCH, { 'supplier-data': 'approved', 'data-enrichment': 'failed' });
    expect(readyToStart(LAUNCH, states)).toEqual([]);
    expect(blockedBy(LAUNCH, states)['shop-import']).toEqual(['data-enrichment']);
    expect(readyToStart(LAUNCH, { ...states, 'data-enrichment': 'dropped' })).toEqual(['shop-import']);
    expect(programDone(LAUNCH, statesOf(LAUNCH, Object.fromEntries(LAUNCH.map((n) => [n.key, 'approved']))))).toBe(true);
    expect(programDone(LAUNCH, states)).toBe(false);
  });
});

describe('the critical path and the projected finish', () => {
  const T0 = Date.parse('2026-11-30T09:00:00Z'); // a Monday

  it('on a hand-checked example: the longest chain of remaining time, round the clock', () => {
    // supplier 10 h, enrichment 20 h, import 5 h, campaign 30 h, landing pages 8 h, service 4 h, logistics 12 h.
    const remaining = { 'supplier-data': 10, 'data-enrichment': 20, 'shop-import': 5, 'marketing-campaign': 30, 'seo-landing-pages': 8, 'customer-service-briefing': 4, 'logistics-readiness': 12 };
    const ms = Object.fromEntries(Object.entries(remaining).map(([k, h]) => [k, h * HOUR]));
    const p = project(LAUNCH, ms, T0, (_key, start, left) => addBusinessTime(CALENDAR_24X7, start, left));
    // 10 + 20 + 5 + 30 + 12 = 77 hours.
    expect(p.criticalPath).toEqual(['supplier-data', 'data-enrichment', 'shop-import', 'marketing-campaign', 'logistics-readiness']);
    expect(p.finishAtMs).toBe(T0 + 77 * HOUR);
    expect(p.finishAt['customer-service-briefing']).toBe(T0 + 69 * HOUR);
    expect(p.finishAt['seo-landing-pages']).toBe(T0 + 43 * HOUR);
  });

  it('in working hours of each brief’s calendar, with the briefs already approved done now', () => {
    const office: Calendar = { name: 'Office', timezone: 'UTC', workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] }, holidays: [] };
    const nodes = [node('a'), node('b', 'a'), node('c', 'a'), node('d', 'b', 'c')];
    // a approved; b 8 working hours; c 4 h round the clock; d 2 working hours.
    const ms = { a: 0, b: 8 * HOUR, c: 4 * HOUR, d: 2 * HOUR };
    const calendars: Record<string, Calendar> = { a: office, b: office, c: CALENDAR_24X7, d: office };
    const p = project(nodes, ms, T0, (key, start, left) => addBusinessTime(calendars[key], start, left));
    // b: Mon 09:00 + 8 h = Mon 17:00; c: Mon 13:00; d starts Mon 17:00 -> Tue 11:00.
    expect(p.finishAt.b).toBe(Date.parse('2026-11-30T17:00:00Z'));
    expect(p.finishAt.c).toBe(Date.parse('2026-11-30T13:00:00Z'));
    expect(p.finishAtMs).toBe(Date.parse('2026-12-01T11:00:00Z'));
    expect(p.criticalPath).toEqual(['b', 'd']);
    expect(project(nodes, { a: 0, b: 0, c: 0, d: 0 }, T0, (_k, s) => s)).toEqual({ finishAt: { a: T0, b: T0, c: T0, d: T0 }, criticalPath: [], finishAtMs: T0 });
  });
});

describe('program templates', () => {
  const templates = loadTemplates();
  const launch = templates.find((t) => t.id === 'product-launch');

  it('are loaded and checked from the repository: product launch, marketplace onboarding, shop change', () => {
    expect(templates.map((t) => t.id)).toEqual(['marketplace-onboarding', 'product-launch', 'shop-change']);
  });

  it('expand the product launch to its graph with the parameters filled in', () => {
    const parties = { supplierPartyId: 'sup', dataAgencyPartyId: 'data', itPartyId: 'it', marketingPartyId: 'mkt', seoPartyId: 'mkt', customerServicePartyId: 'cs', logisticsPartyId: 'log' };
    const { expanded, problems } = expandTemplate(launch!, { product: 'Winter boots', launchDate: '2027-01-15', ...parties });
    expect(problems).toEqual([]);
    expect(expanded?.targetDate).toBe('2027-01-15');
    expect(expanded?.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn, partyId: b.partyId }))).toEqual(
      LAUNCH.map((n) => ({ key: n.key, dependsOn: [...n.dependsOn], partyId: { 'supplier-data': 'sup', 'data-enrichment': 'data', 'shop-import': 'it', 'marketing-campaign': 'mkt', 'seo-landing-pages': 'mkt', 'customer-service-briefing': 'cs', 'logistics-readiness': 'log' }[n.key] })),
    );
    expect(expanded?.briefs[0].title).toBe('Product data for Winter boots');
  });

  it('name every unknown, missing or malformed parameter', () => {
    const { expanded, problems } = expandTemplate(launch!, { product: '  ', launchDate: 'soon', colour: 'red' });
    expect(expanded).toBeUndefined();
    expect(problems.map((p) => p.parameter).sort()).toEqual(
      ['colour', 'customerServicePartyId', 'dataAgencyPartyId', 'itPartyId', 'launchDate', 'logisticsPartyId', 'marketingPartyId', 'product', 'seoPartyId', 'supplierPartyId'].sort(),
    );
  });

  it('refuse a template that uses an undeclared parameter or has a cycle', () => {
    const base = { id: 'x', name: 'X', description: 'x', parameters: { p: { type: 'party', label: 'P', required: true } } };
    const brief = (key: string, dependsOn: string[] = []) => ({ key, title: 'T {{q}}', description: 'd', partyId: '{{p}}', dependsOn });
    expect(() => parseTemplate('x.json', JSON.stringify({ ...base, briefs: [brief('a')] }))).toThrow(/undeclared parameters: q/);
    const cyclic = { ...base, briefs: [{ ...brief('a', ['b']), title: 'A' }, { ...brief('b', ['a']), title: 'B' }] };
    expect(() => parseTemplate('x.json', JSON.stringify(cyclic))).toThrow(/a cycle: a -> b -> a/);
    expect(() => parseTemplate('x.json', '{')).toThrow(/not JSON/);
  });
});

describe('targetInstant', () => {
  it('reads a date alone as the end of that day in the owner’s time zone, an instant as it is', () => {
    expect(targetInstant('2027-01-15', 'UTC')).toBe('2027-01-15T23:59:59.999Z');
    expect(targetInstant('2027-01-15', 'Europe/Berlin')).toBe('2027-01-15T22:59:59.999Z');
    expect(targetInstant('2027-06-30', 'Europe/Berlin')).toBe('2027-06-30T21:59:59.999Z');
    expect(targetInstant('2027-01-15', 'America/New_York')).toBe('2027-01-16T04:59:59.999Z');
    expect(targetInstant('2027-01-15T12:00:00+01:00', 'America/New_York')).toBe('2027-01-15T11:00:00.000Z');
  });
});

describe('a program’s size', () => {
  it(`takes briefs added at run time up to ${MAX_PROGRAM_BRIEFS}, then refuses the next`, () => {
    const { id: _id, ...brief } = briefInput();
    const spec = (key: string) => ({ key, dependsOn: [], brief });
    const program: ProgramSpec = { id: 'p', name: 'Big', ownerId: actors.manager.memberId, targetDate: null, template: null, briefs: [] };
    for (let i = 0; i < MAX_PROGRAM_BRIEFS - 1; i++) program.briefs.push(spec(`b${i}`));
    const state = initialProgramState(program, 0);
    addBrief(program, state, actors.manager, spec('last'), 1);
    expect(program.briefs).toHaveLength(MAX_PROGRAM_BRIEFS);
    expect(() => addBrief(program, state, actors.manager, spec('one-more'), 2)).toThrow(ActionRejected);
    expect(() => addBrief(program, state, actors.manager, spec('one-more'), 2)).toThrow(`at most ${MAX_PROGRAM_BRIEFS} briefs`);
    expect(state.nodes).toHaveLength(MAX_PROGRAM_BRIEFS);
  });
});
