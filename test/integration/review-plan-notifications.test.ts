// The notifications of a review plan against the running product (API, worker, PGlite, Temporal
// dev server) with SMTP_URL at a real SMTP server: a delivery tells the manager (without action
// links: the plan's reviewers decide) and each reviewer of the opening stage, and the delegate
// of a reviewer who is out of office; a reviewer approves from the email's one-click link, another
// requests changes from theirs with a reason on the page; the party hears the outcome with the
// reasons.
import type { DirectoryHelper, Member } from '../support/directory';
import type { TestHandoff } from '../support/handoff';
import { withMailStack, type MailStack } from '../support/mail-stack';
import { eventually } from '../support/http';
import { decodeQuotedPrintable, type SmtpReceiver } from '../support/receivers';

let handoff: TestHandoff;
let smtp: SmtpReceiver;
let dir: DirectoryHelper;
let person: MailStack['person'];
withMailStack('pglite', (stack) => ({ handoff, smtp, dir, person } = stack));

/** The text of the one email to `who` whose text matches `pattern`, once it has arrived. */
async function mailTo(who: Member & { email?: string }, email: string, pattern: RegExp): Promise<string> {
  return eventually(async () => smtp.messages.filter((m) => m.to.includes(email)).map((m) => decodeQuotedPrintable(m.raw)).find((text) => pattern.test(text)), 20_000);
}

const linkOf = (text: string, label: string) => {
  // Each action link follows its label in the plain-text part: "Approve: https://…/actions/…".
  const match = new RegExp(`${label}:?\\s+(https?://[^\\s"<>]+/actions/[A-Za-z0-9_.-]+)`).exec(text);
  return match ? `${handoff.url}${new URL(match[1]).pathname}` : undefined;
};

test('stage openings reach each reviewer and a delegate; reviewers decide from the email; the party gets every reason', async () => {
  const shop = await dir.party('Shop', 'ecommerce');
  const agency = await dir.party('Pixelwerk');
  const manager = await person(shop, 'Mara Manager', 'manager');
  const brand = await person(shop, 'Bea Brand', 'manager');
  const legal = await person(shop, 'Lars Legal', 'manager');
  const deputy = await person(shop, 'Lena Deputy', 'manager');
  const paula = await person(agency, 'Paula Pixel', 'member');
  const away = await legal.client.request('PUT', `/v1/members/${legal.id}/out-of-office`, {
    from: new Date(Date.now() - 60_000).toISOString(),
    until: new Date(Date.now() + 86_400_000).toISOString(),
    delegateId: deputy.id,
  });
  expect(away.status).toBe(200);

  const created = await manager.client.post('/v1/briefs', {
    title: 'Winter landing page',
    description: 'Hero and teasers',
    partyId: agency,
    priority: 'P2',
    reviewPlan: { stages: [{ name: 'Brand and legal', reviewers: [brand.id, legal.id], rule: 'all' }] },
  });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;
  expect((await paula.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);
  expect((await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'First draft' })).status).toBe(200);

  // Each reviewer, and legal's delegate, is asked to review, with one-click links.
  const toBrand = await mailTo(brand, 'bea.brand@example.test', /awaits your review \(Brand and legal\)/);
  const toLegal = await mailTo(legal, 'lars.legal@example.test', /awaits your review/);
  await mailTo(deputy, 'lena.deputy@example.test', /awaits your review/);
  // The manager hears of the delivery, without links to decide: the plan's reviewers do.
  const toManager = await mailTo(manager, 'mara.manager@example.test', /Delivery v1 is ready for review/);
  expect(linkOf(toManager, 'Approve')).toBeUndefined();

  // Brand approves from the email.
  const approve = linkOf(toBrand, 'Approve');
  expect(approve).toBeDefined();
  const post = (url: string, form: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  expect((await post(approve as string)).status).toBe(200);
  let brief = (await manager.client.get(`/v1/briefs/${briefId}`)).body;
  expect(brief.review.stages[0].reviewers.find((r: { memberId: string }) => r.memberId === brand.id)).toMatchObject({ decision: 'approve', by: brand.id });
  expect(brief.status).toBe('in_review');

  // Legal requests changes from theirs, with the reason on the page.
  const requestChanges = linkOf(toLegal, 'Request changes');
  expect(requestChanges).toBeDefined();
  expect((await post(requestChanges as string, { reason: 'The legal footer is missing.' })).status).toBe(200);
  brief = (await manager.client.get(`/v1/briefs/${briefId}`)).body;
  expect(brief.status).toBe('changes_requested');
  expect(brief.review.stages[0].status).toBe('failed');

  // The party hears the outcome with the reason.
  const toParty = await mailTo(paula, 'paula.pixel@example.test', /Changes requested to delivery v1/);
  expect(toParty).toContain('The legal footer is missing.');
}, 120_000);
