// The read-only brief page behind the brief link of emails (/view/<token>), through the running
// product: it shows the brief as the member it was sent to may see it now, in their language and
// time zone, escapes everything and links only web links; it works any number of times, expires,
// refuses tampered links, action links and members who may no longer see the brief; its buttons
// are the one-click actions the member may take now, each through the action link flow; and it
// shares the action pages' rate limit.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActionLink, loadActionLinkSecret, type LinkKind } from '../../services/action-links';
import { decodeSnapshot } from '../../services/snapshot';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';
import { directory, type DirectoryHelper, type Member } from './directory';

const DAY = 86_400_000;

interface Page {
  status: number;
  html: string;
  headers: Headers;
}

async function open(url: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await fetch(url, { headers });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

async function submit(url: string, form: Record<string, string> = {}): Promise<Page> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** The text a reader sees, tags out and entities decoded. */
function visible(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The buttons of the page: label -> href. */
const buttons = (html: string) => Object.fromEntries([...html.matchAll(/<a class="button[^"]*" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[2], m[1]]));

describe('the brief page', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let paula: Member;
  let greta: Member;
  let nora: Member;
  let mara: Member;
  let wanda: Member;
  let secret: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    const shop = await d.party('Shop', 'ecommerce');
    const pixelwerk = await d.party('Pixelwerk <GmbH>');
    const northstar = await d.party('Northstar');
    paula = await d.memberWith(pixelwerk, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', timezone: 'America/New_York' });
    greta = await d.memberWith(pixelwerk, { name: 'Greta Grün', email: 'greta@pixelwerk.example', role: 'member', locale: 'de', timezone: 'Europe/Berlin' });
    wanda = await d.memberWith(pixelwerk, { name: 'Wanda Watcher', email: 'wanda@pixelwerk.example', role: 'watcher' });
    nora = await d.memberWith(northstar, { name: 'Nora North', email: 'nora@northstar.example', role: 'member' });
    mara = await d.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', timezone: 'Europe/Berlin' });
    secret = await loadActionLinkSecret(handoff.db.prisma, handoff.config.actionLinks.secret);
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  async function newBrief(extra: Record<string, unknown> = {}): Promise<string> {
    const res = await mara.client.post('/v1/briefs', { title: 'Spring campaign', description: 'Banners', partyId: paula.partyId, priority: 'P2', ...extra });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  function link(briefId: string, member: Member, action: LinkKind = 'view', options: { ttlMs?: number; now?: Date; notificationId?: string } = {}): Promise<string> {
    return createActionLink(handoff.db.prisma, {
      secret,
      publicUrl: handoff.url,
      notificationId: options.notificationId ?? randomUUID(),
      briefId,
      memberId: member.id,
      action,
      ttlMs: options.ttlMs ?? 7 * DAY,
      now: options.now,
    });
  }

  test('shows the brief in the member’s language and zone, with every field escaped, any number of times, changing nothing', async () => {
    const evil = '<script>alert("x")</script> & "Sale"';
    const briefId = await newBrief({
      title: `Spring ${evil}`,
      description: `Line one\n<img src=x onerror=alert(1)> line two`,
      deliverables: ['Banner <b>300x250</b>', 'Landing page'],
      dueAt: '2026-12-10T16:00:00Z',
    });
    const url = await link(briefId, paula);
    expect(url).toMatch(new RegExp(`^${handoff.url}/view/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
    const acknowledgeDue = (await mara.client.get(`/v1/briefs/${briefId}`)).body.sla.acknowledge.dueAt as string;
    for (let i = 0; i < 3; i++) {
      const page = await open(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const nonce = /<style nonce="([^"]+)">/.exec(page.html)?.[1];
      expect(page.headers.get('content-security-policy')).toBe(`default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
      expect(page.html).not.toMatch(/<script|<img|<b>/i);
      expect(page.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Sale&quot;');
      const text = visible(page.html);
      expect(text).toContain(`Spring ${evil}`);
      expect(text).toContain('Party Pixelwerk <GmbH>');
      expect(text).toContain('Status awaiting acknowledgement');
      expect(text).toContain('Priority P2');
      expect(text).toContain('<img src=x onerror=alert(1)> line two');
      expect(text).toContain('Banner <b>300x250</b>');
      // Deadlines in Paula's zone (New York): the acknowledgement's and the brief's delivery date.
      const ny = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(acknowledgeDue));
      expect(text).toMatch(new RegExp(`Acknowledgement due \\w{3}, \\d{1,2} \\w{3} \\d{4}, ${ny} EST`));
      expect(text).toContain('Delivery due Thu, 10 Dec 2026, 11:00 EST');
      expect(text).toContain('Read-only view for Paula Pixel');
    }
    expect((await mara.client.get(`/v1/briefs/${briefId}`)).body.status).toBe('awaiting_ack');
  });

  test('German for a member whose locale is de, in their zone', async () => {
    const briefId = await newBrief({ title: 'Weihnachtsseite', dueAt: '2026-12-10T16:00:00Z' });
    const page = await open(await link(briefId, greta));
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="de">');
    const text = visible(page.html);
    expect(text).toContain('Status wartet auf Bestätigung');
    expect(text).toContain('Lieferung fällig Do., 10. Dez. 2026, 17:00 MEZ');
    expect(text).toContain('Was Sie jetzt tun können');
    expect(buttons(page.html)).toEqual({ Bestätigen: expect.stringMatching(/^\/actions\//) });
  });

  test("the party's member may acknowledge from the page, through the action link's confirmation; then the button is gone", async () => {
    const briefId = await newBrief();
    const url = await link(briefId, paula);
    const before = await open(url);
    const { Acknowledge: acknowledge, ...others } = buttons(before.html);
    expect(others).toEqual({});
    expect(acknowledge).toMatch(/^\/actions\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    // The same link on every visit, until it is used.
    expect(buttons((await open(url)).html).Acknowledge).toBe(acknowledge);
    const confirm = await open(`${handoff.url}${acknowledge}`);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('Acknowledge the brief');
    expect((await submit(`${handoff.url}${acknowledge}`)).status).toBe(200);
    expect((await mara.client.get(`/v1/briefs/${briefId}`)).body.status).toBe('in_progress');
    const after = await open(url);
    expect(after.status).toBe(200);
    expect(visible(after.html)).toContain('Status in progress');
    expect(buttons(after.html)).toEqual({});
    // A watcher of the party sees the brief, never a button.
    const watcherPage = await open(await link(briefId, wanda));
    expect(watcherPage.status).toBe(200);
    expect(buttons(watcherPage.html)).toEqual({});
  });

  test('the manager may approve or request changes on a delivery in review; each round of review gets links of its own', async () => {
    const briefId = await newBrief();
    await paula.client.post(`/v1/briefs/${briefId}/acknowledge`, {});
    const delivered = await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'First <draft>', links: ['https://files.example/v1.zip?a=1&b="2"'] });
    expect(delivered.status).toBe(200);
    const url = await link(briefId, mara);
    const first = await open(url);
    const text = visible(first.html);
    expect(text).toContain('Version 1 delivered by Paula Pixel (Pixelwerk <GmbH>)');
    expect(text).toContain('First <draft>');
    expect(first.html).toContain('<a href="https://files.example/v1.zip?a=1&amp;b=%222%22" rel="noopener noreferrer">');
    const round1 = buttons(first.html);
    expect(Object.keys(round1)).toEqual(['Approve', 'Request changes']);

    const changes = `${handoff.url}${round1['Request changes']}`;
    expect((await submit(changes, { reason: 'Bigger logo' })).status).toBe(200);
    expect(buttons((await open(url)).html)).toEqual({});
    await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Second', links: [] });
    const round2 = buttons((await open(url)).html);
    expect(Object.keys(round2)).toEqual(['Approve', 'Request changes']);
    expect(round2['Request changes']).not.toBe(round1['Request changes']);
    const approved = await submit(`${handoff.url}${round2.Approve}`);
    expect(approved.status).toBe(200);
    expect((await mara.client.get(`/v1/briefs/${briefId}`)).body.status).toBe('approved');
    const done = await open(url);
    expect(visible(done.html)).toContain('Status approved');
    expect(buttons(done.html)).toEqual({});
  });

  test('links from the read model become links only when they are web links; an open question is shown', async () => {
    const briefId = await newBrief();
    await paula.client.post(`/v1/briefs/${briefId}/clarifications`, { question: 'Which <colours>?' });
    // Whatever the read model holds is hostile: a delivery with links no API would have taken.
    const row = await handoff.db.prisma.brief.findUniqueOrThrow({ where: { id: briefId } });
    const state = decodeSnapshot(briefId, row.snapshot);
    state.deliveries = [{ version: 1, summary: 'Old', links: ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'https://ok.example/a b', '"><script>'], submittedBy: paula.id, submittedAt: state.createdAt }];
    await handoff.db.prisma.brief.update({ where: { id: briefId }, data: { snapshot: state as object } });
    const page = await open(await link(briefId, mara));
    expect(page.status).toBe(200);
    const hrefs = [...page.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://ok.example/a%20b']);
    expect(page.html).not.toMatch(/<script|<b>/);
    const text = visible(page.html);
    expect(text).toContain('javascript:alert(1)');
    expect(text).toContain('Open question Which <colours>? Asked by Paula Pixel (Pixelwerk <GmbH>)');
  });

  test('an expired link is 410; a tampered one, an action link and an unknown one are 400; a view link does not act', async () => {
    const briefId = await newBrief();
    const expired = await link(briefId, paula, 'view', { ttlMs: DAY, now: new Date(Date.now() - 2 * DAY) });
    const gone = await open(expired);
    expect(gone.status).toBe(410);
    expect(gone.html).toContain('This link has expired');

    const url = await link(briefId, paula);
    const [payload, signature] = url.split('/view/')[1].split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), briefId: 'another' })).toString('base64url');
    for (const bad of [`${handoff.url}/view/${forged}.${signature}`, `${handoff.url}/view/${payload}.${'A'.repeat(43)}`, `${handoff.url}/view/nonsense`]) {
      const page = await open(bad);
      expect(page.status).toBe(400);
      expect(page.html).toContain('This link is not valid');
    }
    // An action link is not a view link, and a view link neither confirms nor acts.
    const acknowledge = await link(briefId, paula, 'acknowledge');
    expect((await open(acknowledge.replace('/actions/', '/view/'))).status).toBe(400);
    const asAction = url.replace('/view/', '/actions/');
    expect((await open(asAction)).status).toBe(400);
    expect((await submit(asAction)).status).toBe(400);
    expect((await mara.client.get(`/v1/briefs/${briefId}`)).body.status).toBe('awaiting_ack');
  });

  test('a party never sees another party’s brief: a link for an outsider, or for a member who has moved on, is refused', async () => {
    const briefId = await newBrief();
    const outsider = await open(await link(briefId, nora));
    // 404, as for any brief of another party: the page does not tell that the brief exists.
    expect(outsider.status).toBe(404);
    expect(outsider.html).toContain('No brief to show');
    expect(outsider.html).not.toContain('Spring campaign');

    const moving = await d.memberWith(paula.partyId, { name: 'Moritz Mover', email: 'moritz@pixelwerk.example', role: 'member' });
    const url = await link(briefId, moving);
    expect((await open(url)).status).toBe(200);
    // Entitlement is decided at every visit, by who the member is now.
    await handoff.db.prisma.member.update({ where: { id: moving.id }, data: { partyId: nora.partyId } });
    const after = await open(url);
    expect(after.status).toBe(404);
    expect(after.html).not.toContain('Spring campaign');
    await handoff.db.prisma.member.delete({ where: { id: moving.id } }).catch(() => undefined);
  });
});

describe('the brief page’s rate limit', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RATE_LIMIT: '5' } });
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('is the action pages’ limit per client address: the sixth page in a minute is 429 with Retry-After, on either route', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await open(`${handoff.url}/view/not-a-token`)).status);
    expect(answers).toEqual([400, 400, 400, 400, 400]);
    const limited = await open(`${handoff.url}/view/not-a-token`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.html).toContain('Too many requests');
    expect((await open(`${handoff.url}/actions/not-a-token`)).status).toBe(429);
  });
});
