// One-click action links through the running product: a link made by createActionLink for a
// real brief and member shows a confirmation page that changes nothing, acts once when its form
// is posted, and refuses when used, expired, tampered with or no longer possible, in the
// member's language.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActionLink, loadActionLinkSecret, signActionToken, type LinkAction } from '../../services/action-links';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';
import { directory, type DirectoryHelper, type Member } from './directory';

const DAY = 86_400_000;

interface Page {
  status: number;
  html: string;
  headers: Headers;
}

describe('action links', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let paula: Member;
  let greta: Member;
  let nora: Member;
  let mara: Member;
  let secret: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    const shop = await d.party('Shop', 'ecommerce');
    const pixelwerk = await d.party('Pixelwerk');
    const northstar = await d.party('Northstar');
    paula = await d.memberWith(pixelwerk, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member' });
    greta = await d.memberWith(pixelwerk, { name: 'Greta Grün', email: 'greta@pixelwerk.example', role: 'member', locale: 'de' });
    nora = await d.memberWith(northstar, { name: 'Nora North', email: 'nora@northstar.example', role: 'member' });
    mara = await d.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager' });
    secret = await loadActionLinkSecret(handoff.db.prisma, handoff.config.actionLinks.secret);
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  async function newBrief(title: string): Promise<string> {
    const res = await mara.client.post('/v1/briefs', { title, description: 'For the action links', partyId: paula.partyId });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function briefOf(id: string) {
    return (await mara.client.get(`/v1/briefs/${id}`)).body;
  }

  function link(briefId: string, member: Member, action: LinkAction, options: { ttlMs?: number; now?: Date } = {}): Promise<string> {
    return createActionLink(handoff.db.prisma, {
      secret,
      publicUrl: handoff.url,
      notificationId: randomUUID(),
      briefId,
      memberId: member.id,
      action,
      ttlMs: options.ttlMs ?? 7 * DAY,
      now: options.now,
    });
  }

  async function open(url: string, headers: Record<string, string> = {}): Promise<Page> {
    const res = await fetch(url, { headers });
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  async function submit(url: string, form: Record<string, string> = {}): Promise<Page> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  const tokenRow = (url: string) => {
    const payload = JSON.parse(Buffer.from(url.split('/actions/')[1].split('.')[0], 'base64url').toString()) as { id: string };
    return handoff.db.prisma.actionToken.findUniqueOrThrow({ where: { id: payload.id } });
  };

  test('a link is the public URL, /actions/ and a signed token, and the same one for the same notification', async () => {
    const briefId = await newBrief('Same link twice');
    const args = { secret, publicUrl: handoff.url, notificationId: 'n-same', briefId, memberId: paula.id, action: 'acknowledge' as const, ttlMs: DAY };
    const first = await createActionLink(handoff.db.prisma, args);
    const again = await createActionLink(handoff.db.prisma, { ...args, now: new Date(Date.now() + 60_000) });
    expect(first).toMatch(new RegExp(`^${handoff.url}/actions/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
    expect(again).toBe(first);
    expect(await tokenRow(first)).toMatchObject({ id: 'n-same:acknowledge', briefId, memberId: paula.id, action: 'acknowledge', usedAt: null });
    // The installation's secret is made once and kept.
    expect(await loadActionLinkSecret(handoff.db.prisma)).toBe(secret);
    expect((await handoff.db.prisma.setting.findUniqueOrThrow({ where: { key: 'action_link_secret' } })).value).toBe(secret);
  });

  test('GET shows a confirmation page naming the brief, the action and the member, and changes nothing', async () => {
    const briefId = await newBrief('Christmas landing page <b>');
    const url = await link(briefId, paula, 'acknowledge');
    for (let i = 0; i < 2; i++) {
      const page = await open(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.html).toContain('<html lang="en">');
      expect(page.html).toContain('Acknowledge the brief');
      expect(page.html).toContain('Paula Pixel');
      expect(page.html).toContain('Christmas landing page &lt;b&gt;');
      expect(page.html).toMatch(/<form method="post">[\s\S]*<button type="submit">Acknowledge<\/button>/);
      // No external assets; the only style is the page's own, allowed by its nonce.
      expect(page.html).not.toMatch(/<script|<link|src=|https?:\/\//);
      const nonce = /<style nonce="([^"]+)">/.exec(page.html)?.[1];
      expect(page.headers.get('content-security-policy')).toContain(`style-src 'nonce-${nonce}'`);
      expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    }
    expect((await briefOf(briefId)).status).toBe('awaiting_ack');
    expect((await tokenRow(url)).usedAt).toBeNull();
  });

  test('POST acknowledges the brief as the member, once; a second POST is 410', async () => {
    const briefId = await newBrief('Acknowledge by link');
    const url = await link(briefId, paula, 'acknowledge');
    const done = await submit(url);
    expect(done.status).toBe(200);
    expect(done.html).toContain('Brief acknowledged');
    expect(done.html).toContain('in progress');
    const brief = await briefOf(briefId);
    expect(brief.status).toBe('in_progress');
    expect(brief.timeline.find((e: { type: string }) => e.type === 'acknowledged')).toMatchObject({ actor: paula.id });
    expect((await tokenRow(url)).usedAt).not.toBeNull();

    const again = await submit(url);
    expect(again.status).toBe(410);
    expect(again.html).toContain('This link has already been used');
    expect((await open(url)).status).toBe(410);
    expect((await briefOf(briefId)).timeline.filter((e: { type: string }) => e.type === 'acknowledged')).toHaveLength(1);
  });

  test('an expired link is 410 and does nothing', async () => {
    const briefId = await newBrief('Expired link');
    const url = await link(briefId, paula, 'acknowledge', { ttlMs: 7 * DAY, now: new Date(Date.now() - 8 * DAY) });
    const page = await open(url);
    expect(page.status).toBe(410);
    expect(page.html).toContain('This link has expired');
    const posted = await submit(url);
    expect(posted.status).toBe(410);
    expect(posted.html).toContain('This link has expired');
    expect((await briefOf(briefId)).status).toBe('awaiting_ack');
  });

  test('a link made longer ago than HANDOFF_ACTION_LINK_TTL (default 72 hours) is 410, whatever expiry it was signed with', async () => {
    expect(handoff.config.actionLinks.ttlMs).toBe(72 * 3_600_000);
    const briefId = await newBrief('Link older than the lifetime');
    // Signed for seven days (as links were before the lifetime was shortened), made 73 hours ago.
    const url = await link(briefId, paula, 'acknowledge', { ttlMs: 7 * DAY });
    const [, token] = url.split('/actions/');
    const id = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).id as string;
    expect((await open(url)).status).toBe(200);
    await handoff.db.prisma.actionToken.update({ where: { id }, data: { createdAt: new Date(Date.now() - 73 * 3_600_000) } });
    const page = await open(url);
    expect(page.status).toBe(410);
    expect(page.html).toContain('This link has expired');
    expect((await submit(url)).status).toBe(410);
    expect((await briefOf(briefId)).status).toBe('awaiting_ack');
  });

  test('a tampered, malformed or unknown link is 400 and does nothing', async () => {
    const briefId = await newBrief('Tampered link');
    const url = await link(briefId, paula, 'acknowledge');
    const [base, token] = url.split('/actions/');
    const [payloadPart, signature] = token.split('.');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const otherPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payloadPart, 'base64url').toString()), memberId: nora.id }),
    ).toString('base64url');
    const unknown = signActionToken(secret, { id: 'no-such-notification:acknowledge', briefId, memberId: paula.id, action: 'acknowledge', exp: Math.floor(Date.now() / 1000) + 3600 });
    const forged = signActionToken('another installation secret, 32+ characters', JSON.parse(Buffer.from(payloadPart, 'base64url').toString()));
    for (const bad of [`${payloadPart}.${flipped}`, `${otherPayload}.${signature}`, 'not-a-token', `${payloadPart}.`, unknown, forged]) {
      const page = await open(`${base}/actions/${bad}`);
      expect({ bad, status: page.status }).toEqual({ bad, status: 400 });
      expect(page.html).toContain('This link is not valid');
      expect((await submit(`${base}/actions/${bad}`)).status).toBe(400);
    }
    expect((await briefOf(briefId)).status).toBe('awaiting_ack');
    expect((await tokenRow(url)).usedAt).toBeNull();
  });

  test('request changes needs a reason, and with one sends an in-review delivery back', async () => {
    const briefId = await newBrief('Review by link');
    expect((await paula.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);
    expect((await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Draft', links: ['https://files.example/v1.zip'] })).status).toBe(200);
    const url = await link(briefId, mara, 'requestChanges');
    const page = await open(url);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<label for="reason">What should change\?<\/label><textarea id="reason" name="reason" maxlength="5000" required>/);

    const missing = await submit(url, { reason: '   ' });
    expect(missing.status).toBe(400);
    expect(missing.html).toContain('Please say what should change.');
    expect((await tokenRow(url)).usedAt).toBeNull();

    const done = await submit(url, { reason: 'Bigger logo, please' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Changes requested');
    const brief = await briefOf(briefId);
    expect(brief.status).toBe('changes_requested');
    expect(brief.timeline.find((e: { type: string }) => e.type === 'changes_requested')).toMatchObject({ actor: mara.id });
  });

  test('approve takes an optional note', async () => {
    const briefId = await newBrief('Approve by link');
    await paula.client.post(`/v1/briefs/${briefId}/acknowledge`, {});
    await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Final', links: [] });
    const url = await link(briefId, mara, 'approve');
    expect((await open(url)).html).toContain('<label for="note">Note (optional)</label>');
    const done = await submit(url, { note: '' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Delivery approved');
    expect((await briefOf(briefId)).status).toBe('approved');
  });

  test('an action no longer possible is 409, and the link is not used up', async () => {
    const acknowledged = await newBrief('Acknowledged elsewhere');
    const url = await link(acknowledged, paula, 'acknowledge');
    await paula.client.post(`/v1/briefs/${acknowledged}/acknowledge`, {});
    const page = await open(url);
    expect(page.status).toBe(409);
    expect(page.html).toContain('This is no longer possible');
    expect(page.html).toContain('in progress');
    expect((await submit(url)).status).toBe(409);

    const cancelled = await newBrief('Cancelled');
    const cancelledUrl = await link(cancelled, paula, 'acknowledge');
    await mara.client.post(`/v1/briefs/${cancelled}/cancel`, { reason: 'Campaign dropped' });
    const posted = await submit(cancelledUrl);
    expect(posted.status).toBe(409);
    expect(posted.html).toContain('cancelled');
    expect((await tokenRow(cancelledUrl)).usedAt).toBeNull();
  });

  test('when the workflow refuses, the link works again (a member of another party: 403)', async () => {
    const briefId = await newBrief('Not for Nora');
    const url = await link(briefId, nora, 'acknowledge');
    const refused = await submit(url);
    expect(refused.status).toBe(403);
    expect((await tokenRow(url)).usedAt).toBeNull();
    expect((await briefOf(briefId)).status).toBe('awaiting_ack');
  });

  test('pages are German for a member whose locale is de', async () => {
    const briefId = await newBrief('Weihnachtsseite');
    const url = await link(briefId, greta, 'acknowledge');
    const page = await open(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="de">');
    expect(page.html).toContain('Brief bestätigen');
    expect(page.html).toContain('Greta Grün, den Brief „Weihnachtsseite“ bestätigen');
    const done = await submit(url);
    expect(done.html).toContain('Brief bestätigt');
    expect(done.html).toContain('in Arbeit');
    const used = await submit(url);
    expect(used.status).toBe(410);
    expect(used.html).toContain('Dieser Link wurde bereits verwendet');
    // Someone unknown (a link that is not valid) gets their browser's language.
    const invalid = await open(url.replace(/\.[^.]+$/, '.x'), { 'accept-language': 'de-DE,de;q=0.9' });
    expect(invalid.html).toContain('Dieser Link ist ungültig');
  });
});
