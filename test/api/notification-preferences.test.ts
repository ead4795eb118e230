// A member's notification preferences and webhook secret through the running API: defaults per
// role, changes and the fields a bad change names, who may read and change them, and a webhook
// secret that is shown once, replaced by the next, and never seen again in any answer or the
// audit log.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp, type HandoffApp } from '../../api/app';
import { close, listen, portOf } from '../../lib/http-server';
import { createLogger } from '../../lib/logger';
import { outboundPolicy, type Resolver } from '../../lib/outbound';
import { NOTIFICATION_EVENTS } from '../../workflows/domain/notifications';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, type ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

const ALL = ['email', 'webhook', 'chat'];
const every = (channels: string[]) => Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, channels]));

describe('notification preferences and webhook secrets', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let admin: ApiClient;
  let paula: Member;
  let piet: Member;
  let wanda: Member;
  let mara: Member;
  let tom: Member;
  let nora: Member;
  let calendarId: string;

  beforeAll(async () => {
    env = await devServerEnv();
    // As in production: no internal receiver allowed (the test stacks allow 127.0.0.1 by default).
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_OUTBOUND_ALLOW: '' } });
    d = directory(handoff.url);
    admin = d.admin;
    const shop = await d.party('Shop', 'ecommerce');
    const pixelwerk = await d.party('Pixelwerk');
    const northstar = await d.party('Northstar');
    paula = await d.member(pixelwerk, 'member', 'Paula');
    piet = await d.member(pixelwerk, 'member', 'Piet');
    wanda = await d.member(pixelwerk, 'watcher', 'Wanda');
    mara = await d.member(shop, 'manager', 'Mara');
    tom = await d.member(shop, 'watcher', 'Tom');
    nora = await d.member(northstar, 'member', 'Nora');
    const WORKDAY = [['09:00', '17:00']];
    const calendar = await admin.post('/v1/calendars', { name: 'Berlin office', timezone: 'Europe/Berlin', workingHours: { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY } });
    expect(calendar.status).toBe(201);
    calendarId = calendar.body.id;
  }, 60_000);

  afterAll(async () => {
    if (resolving) {
      resolving.app.escalationFeed.close();
      await close(resolving.server, 1000);
    }
    await handoff?.cleanup();
    await env?.teardown();
  });

  let resolving: { app: HandoffApp; server: Awaited<ReturnType<typeof listen>>; url: string } | undefined;
  const prefsOf = (m: Member) => `/v1/members/${m.id}/notification-preferences`;
  const put = (client: ApiClient, m: Member, body: unknown) => client.request('PUT', prefsOf(m), body);

  test("a new member has their role's defaults: every channel for everything, watchers only escalations", async () => {
    const own = await paula.client.get(prefsOf(paula));
    expect(own.status).toBe(200);
    expect(own.body).toEqual({
      channels: every(ALL),
      defaults: every(ALL),
      locale: 'en',
      timezone: null,
      calendarId: null,
      webhookUrl: null,
      chatWebhookUrl: null,
      webhookEnabled: false,
      hasWebhookSecret: false,
      scorecardEmail: false,
    });
    expect((await mara.client.get(prefsOf(mara))).body.channels).toEqual(every(ALL));
    const watcher = await wanda.client.get(prefsOf(wanda));
    expect(watcher.body.defaults).toEqual({ ...every([]), escalation: ALL });
    expect(watcher.body.channels).toEqual(watcher.body.defaults);
  });

  test('the member themself and admins read and change them; colleagues and the e-commerce team get 403, other parties 404', async () => {
    expect((await admin.get(prefsOf(paula))).status).toBe(200);
    expectProblem(await piet.client.get(prefsOf(paula)), 403, 'forbidden');
    expectProblem(await wanda.client.get(prefsOf(paula)), 403, 'forbidden');
    expectProblem(await mara.client.get(prefsOf(paula)), 403, 'forbidden');
    expectProblem(await tom.client.get(prefsOf(paula)), 403, 'forbidden');
    expectProblem(await nora.client.get(prefsOf(paula)), 404, 'not-found');
    expectProblem(await admin.get('/v1/members/no-such-member/notification-preferences'), 404, 'not-found');
    expectProblem(await apiClient(handoff.url).get(prefsOf(paula)), 401, 'unauthenticated');

    expectProblem(await put(piet.client, paula, { locale: 'de' }), 403, 'forbidden');
    expectProblem(await put(mara.client, paula, { locale: 'de' }), 403, 'forbidden');
    expectProblem(await put(nora.client, paula, { locale: 'de' }), 404, 'not-found');
    expect((await put(admin, piet, { locale: 'de' })).body.locale).toBe('de');
    expectProblem(await piet.client.request('POST', `/v1/members/${paula.id}/webhook-secret`), 403, 'forbidden');
    expectProblem(await nora.client.request('POST', `/v1/members/${paula.id}/webhook-secret`), 404, 'not-found');
  });

  test('PUT changes what it names, keeps the rest, and answers as GET does', async () => {
    const res = await put(paula.client, paula, {
      channels: { reminder: ['email'], comment: [] },
      locale: 'de',
      timezone: 'Europe/Berlin',
      calendarId,
      webhookUrl: 'https://hooks.pixelwerk.example/handoff',
      chatWebhookUrl: 'https://chat.example/hooks/T000/B000',
      scorecardEmail: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      channels: { ...every(ALL), reminder: ['email'], comment: [] },
      defaults: every(ALL),
      locale: 'de',
      timezone: 'Europe/Berlin',
      calendarId,
      webhookUrl: 'https://hooks.pixelwerk.example/handoff',
      chatWebhookUrl: 'https://chat.example/hooks/T000/B000',
      webhookEnabled: true,
      hasWebhookSecret: false,
      scorecardEmail: true,
    });
    expect((await paula.client.get(prefsOf(paula))).body).toEqual(res.body);

    // Events left out keep their channels; null puts one back to the default.
    const next = await put(paula.client, paula, { channels: { escalation: ['chat'], comment: null }, scorecardEmail: false });
    expect(next.body.channels).toEqual({ ...every(ALL), reminder: ['email'], escalation: ['chat'] });
    expect(next.body.scorecardEmail).toBe(false);
    expect(next.body.timezone).toBe('Europe/Berlin');

    // The member record shows the same settings, and the 24x7 calendar and nulls are accepted.
    const cleared = await put(paula.client, paula, { calendarId: '24x7', timezone: null, chatWebhookUrl: null });
    expect(cleared.body).toMatchObject({ calendarId: '24x7', timezone: null, chatWebhookUrl: null });
    const member = (await paula.client.get('/v1/me')).body;
    expect(member).toMatchObject({ locale: 'de', calendarId: '24x7', timezone: null, webhookUrl: 'https://hooks.pixelwerk.example/handoff', webhookEnabled: true, hasWebhookSecret: false });

    const audit = await admin.get(`/v1/audit?targetType=member&targetId=${paula.id}`);
    const changes = audit.body.items.filter((e: { action: string }) => e.action === 'member.notification_preferences_updated');
    expect(changes).toHaveLength(3);
    expect(changes[2]).toMatchObject({ actorId: paula.id, before: { locale: 'en', timezone: null }, after: { locale: 'de', timezone: 'Europe/Berlin' } });
  });

  test.each([
    ['a channel that does not exist', { channels: { reminder: ['sms'] } }, 'body.channels.reminder[0]'],
    ['a channel named twice', { channels: { reminder: ['email', 'email'] } }, 'body.channels.reminder'],
    ['an event that does not exist', { channels: { birthday: ['email'] } }, 'body.channels.birthday'],
    ['channels that are not a list', { channels: { reminder: 'email' } }, 'body.channels.reminder'],
    ['a time zone that does not exist', { timezone: 'Mars/Olympus_Mons' }, 'body.timezone'],
    ['a calendar that does not exist', { calendarId: 'no-such-calendar' }, 'body.calendarId'],
    ['a webhook that is not http(s)', { webhookUrl: 'ftp://hooks.example/x' }, 'body.webhookUrl'],
    ['a chat webhook that is not a URL', { chatWebhookUrl: 'not a url' }, 'body.chatWebhookUrl'],
    ['a locale Handoff does not speak', { locale: 'fr' }, 'body.locale'],
    ['a field that is not a preference', { email: 'x@example.com' }, 'body.email'],
  ])('400 naming the field for %s, and nothing changes', async (_what, body, path) => {
    const before = (await piet.client.get(prefsOf(piet))).body;
    const res = await put(piet.client, piet, body);
    expectProblem(res, 400, 'validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect((await piet.client.get(prefsOf(piet))).body).toEqual(before);
  });

  test.each([
    ['webhookUrl', 'http://127.0.0.1:8080/hook'],
    ['webhookUrl', 'http://169.254.169.254/latest/meta-data/'],
    ['webhookUrl', 'http://[::1]/hook'],
    ['webhookUrl', 'http://10.0.0.1/hook'],
    ['webhookUrl', 'http://0x7f000001/hook'],
    ['webhookUrl', 'http://2130706433/hook'],
    ['chatWebhookUrl', 'https://[::ffff:127.0.0.1]/hooks/T000'],
    ['chatWebhookUrl', 'https://100.64.0.1/hooks/T000'],
    ['chatWebhookUrl', 'https://[fd00::1]/hooks/T000'],
  ])('a %s at an internal address (%s) is 400 naming the field, and nothing changes', async (field, url) => {
    const before = (await piet.client.get(prefsOf(piet))).body;
    const res = await put(piet.client, piet, { [field]: url });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ path: `body.${field}`, message: expect.stringMatching(/^address not allowed/) }]);
    expect((await piet.client.get(prefsOf(piet))).body).toEqual(before);
  });

  test('a member created with a webhook or chat URL at an internal address is 400 naming the field, and not created', async () => {
    for (const [field, url] of [
      ['webhookUrl', 'http://169.254.169.254/latest/meta-data/iam/'],
      ['chatWebhookUrl', 'http://192.168.1.10/hooks'],
    ]) {
      const res = await admin.post(`/v1/parties/${paula.partyId}/members`, { name: 'Ines', email: `ines.${field}@pixelwerk.example`, role: 'member', [field]: url });
      expectProblem(res, 400, 'validation');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([`body.${field}`]);
      expect(await handoff.db.prisma.member.count({ where: { email: `ines.${field}@pixelwerk.example` } })).toBe(0);
    }
  });

  test('a host name is checked by what it resolves to: a name resolving inside is 400 at save, one resolving to a public address is kept', async () => {
    const resolver: Resolver = async (host) =>
      ({
        'hooks.rebind.example': [{ address: '127.0.0.1', family: 4 }],
        'chat.metadata.example': [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }],
        'hooks.public.example': [{ address: '93.184.216.34', family: 4 }],
      })[host] ?? [];
    // An API on the same stack whose name lookups this test answers.
    const app = createApp({ db: handoff.db, temporal: handoff.temporal.client, config: handoff.config, logger: createLogger('silent'), outbound: outboundPolicy(handoff.config.outboundAllow, resolver) });
    const server = await listen(app, 0, '127.0.0.1');
    resolving = { app, server, url: `http://127.0.0.1:${portOf(server)}` };
    const piets = apiClient(resolving.url, piet.key);
    const refused = await piets.request('PUT', prefsOf(piet), { webhookUrl: 'https://hooks.rebind.example/handoff' });
    expectProblem(refused, 400, 'validation');
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.webhookUrl']);
    // Which internal address the name resolves to is not told.
    expect(JSON.stringify(refused.body)).not.toContain('127.0.0.1');
    const chat = await apiClient(resolving.url, ADMIN_KEY).post(`/v1/parties/${paula.partyId}/members`, { name: 'Jan', email: 'jan@pixelwerk.example', role: 'member', chatWebhookUrl: 'https://chat.metadata.example/hooks' });
    expectProblem(chat, 400, 'validation');
    expect(chat.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.chatWebhookUrl']);
    const kept = await piets.request('PUT', prefsOf(piet), { webhookUrl: 'https://hooks.public.example/handoff' });
    expect(kept.status).toBe(200);
    expect(kept.body.webhookUrl).toBe('https://hooks.public.example/handoff');
  });

  test('setting the webhook URL again re-enables a webhook disabled after failures', async () => {
    await put(piet.client, piet, { webhookUrl: 'https://hooks.example/piet' });
    await handoff.db.prisma.member.update({ where: { id: piet.id }, data: { webhookDisabledAt: new Date(), webhookFailures: 5 } });
    expect((await piet.client.get(prefsOf(piet))).body.webhookEnabled).toBe(false);
    expect((await admin.get(`/v1/parties/${piet.partyId}/members`)).body.items.find((m: { id: string }) => m.id === piet.id).webhookEnabled).toBe(false);

    const res = await put(piet.client, piet, { webhookUrl: 'https://hooks.example/piet' });
    expect(res.body).toMatchObject({ webhookUrl: 'https://hooks.example/piet', webhookEnabled: true });
    const row = await handoff.db.prisma.member.findUniqueOrThrow({ where: { id: piet.id } });
    expect({ disabledAt: row.webhookDisabledAt, failures: row.webhookFailures }).toEqual({ disabledAt: null, failures: 0 });
  });

  test('a webhook secret is shown once, the next replaces it, and no answer or audit entry contains it', async () => {
    const first = await paula.client.post(`/v1/members/${paula.id}/webhook-secret`);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/), createdAt: expect.any(String) });
    let row = await handoff.db.prisma.member.findUniqueOrThrow({ where: { id: paula.id } });
    expect(row.webhookSecret).toBe(first.body.secret);
    expect(row.webhookSecretCreatedAt?.toISOString()).toBe(first.body.createdAt);

    const second = await admin.post(`/v1/members/${paula.id}/webhook-secret`);
    expect(second.status).toBe(201);
    expect(second.body.secret).not.toBe(first.body.secret);
    row = await handoff.db.prisma.member.findUniqueOrThrow({ where: { id: paula.id } });
    expect(row.webhookSecret).toBe(second.body.secret);

    const answers = [
      await paula.client.get(prefsOf(paula)),
      await paula.client.get('/v1/me'),
      await admin.get(`/v1/parties/${paula.partyId}/members`),
      await admin.get('/v1/audit?limit=200'),
    ];
    expect(answers[0].body.hasWebhookSecret).toBe(true);
    expect(answers[1].body).toMatchObject({ hasWebhookSecret: true });
    expect(answers[1].body).not.toHaveProperty('webhookSecret');
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.body);
      expect(text).not.toContain(first.body.secret);
      expect(text).not.toContain(second.body.secret);
    }
    const actions = answers[3].body.items.filter((e: { targetId: string }) => e.targetId === paula.id).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['member.webhook_secret_created', 'member.webhook_secret_rotated']));
  });

  test("a member's webhook and chat URLs are shown to the member themself and admins only, never in a colleague's or manager's member list", async () => {
    const webhookUrl = 'https://hooks.pixelwerk.example/wanda-private-8f3a';
    const chatWebhookUrl = 'https://chat.example/hooks/T0WANDA/B0PRIVATE';
    expect((await put(wanda.client, wanda, { webhookUrl, chatWebhookUrl })).status).toBe(200);
    const listBy = async (client: ApiClient) => {
      const res = await client.get(`/v1/parties/${wanda.partyId}/members?limit=100`);
      expect(res.status).toBe(200);
      return { text: JSON.stringify(res.body), wanda: res.body.items.find((m: { id: string }) => m.id === wanda.id) };
    };
    for (const other of [paula, piet, mara, tom]) {
      const seen = await listBy(other.client);
      expect(seen.wanda).toMatchObject({ id: wanda.id, webhookUrl: null, chatWebhookUrl: null });
      expect(seen.text).not.toContain('wanda-private');
      expect(seen.text).not.toContain('T0WANDA');
    }
    for (const allowed of [wanda.client, admin]) {
      expect((await listBy(allowed)).wanda).toMatchObject({ webhookUrl, chatWebhookUrl, webhookEnabled: true });
    }
    expect((await wanda.client.get('/v1/me')).body).toMatchObject({ webhookUrl, chatWebhookUrl });
    // A member reading the list sees their own URLs, not their colleague's.
    expect((await put(paula.client, paula, { chatWebhookUrl: 'https://chat.example/hooks/paula-own' })).status).toBe(200);
    const byPaula = await paula.client.get(`/v1/parties/${paula.partyId}/members?limit=100`);
    expect(byPaula.body.items.find((m: { id: string }) => m.id === paula.id).chatWebhookUrl).toBe('https://chat.example/hooks/paula-own');
    expect(JSON.stringify(byPaula.body)).not.toContain('T0WANDA');
    expect((await put(paula.client, paula, { chatWebhookUrl: null })).status).toBe(200);
  });

  test('a member can be created with a time zone, calendar and chat webhook, and their JSON has no secret', async () => {
    const created = await admin.post(`/v1/parties/${paula.partyId}/members`, {
      name: 'Greta',
      email: 'greta@pixelwerk.example',
      role: 'member',
      locale: 'de',
      timezone: 'Europe/Vienna',
      calendarId,
      chatWebhookUrl: 'https://chat.example/hooks/greta',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ timezone: 'Europe/Vienna', calendarId, chatWebhookUrl: 'https://chat.example/hooks/greta', webhookUrl: null, webhookEnabled: false, hasWebhookSecret: false });
    expect(created.body).not.toHaveProperty('webhookSecret');
    const bad = await admin.post(`/v1/parties/${paula.partyId}/members`, { name: 'Gert', email: 'gert@pixelwerk.example', role: 'member', timezone: 'Nowhere/Else' });
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.timezone']);
  });
});
