// The notice to a program's owner against the running product (API, worker, PostgreSQL, Temporal
// dev server) with SMTP_URL at a real SMTP server: the first brief of a program is declined by
// its party; the owner gets one email naming the program, the brief, the reason and the briefs it
// holds (and not those it does not), with a link that opens the program's page; the owner
// replaces the brief through the API, the replacement is declined too and noticed on its own, and
// the owner drops it, which starts the held briefs. The parties' words are hostile HTML: escaped.
import type { DirectoryHelper, Member } from '../support/directory';
import type { TestHandoff } from '../support/handoff';
import { withMailStack, type MailStack } from '../support/mail-stack';
import { eventually } from '../support/http';
import { header, parseEmail, type ParsedEmail } from '../support/parse-email';
import type { SmtpReceiver } from '../support/receivers';

let handoff: TestHandoff;
let smtp: SmtpReceiver;
let dir: DirectoryHelper;
let person: MailStack['person'];
withMailStack('postgres', (stack) => ({ handoff, smtp, dir, person } = stack));

/** The emails to `email` whose subject matches `pattern`, parsed as a mail client reads them. */
const mailsTo = (email: string, pattern: RegExp): ParsedEmail[] =>
  smtp.messages
    .filter((m) => m.to.includes(email))
    .map((m) => parseEmail(m.raw))
    .filter((m) => pattern.test(header(m, 'Subject')));

type ProgramBody = { id: string; status: string; briefs: { key: string; state: string; briefId: string | null; blockedBy: string[] }[] };

test('a declined brief of a program: its owner is told what it holds and replaces, then drops it through the API', async () => {
  const shop = await dir.party('Shop', 'ecommerce');
  const supplier = await dir.party('Nordic Boots <Supplier>');
  const other = await dir.party('Second Supplier');
  const data = await dir.party('Data Agency');
  const mara = await person(shop, 'Mara Owner', 'manager');
  const sven = await person(supplier, 'Sven Supplier', 'member');
  const olga = await person(other, 'Olga Other', 'member');
  await person(data, 'Dana Data', 'member');
  const brief = (key: string, title: string, partyId: string, dependsOn: string[] = []) => ({ key, title, description: 'see the launch plan', partyId, priority: 'P3', dependsOn });
  const created = await mara.client.post('/v1/programs', {
    name: 'Winter launch',
    briefs: [
      brief('supplier-data', 'Supplier data', supplier),
      brief('data-enrichment', 'Data <b>enrichment</b>', data, ['supplier-data']),
      brief('shop-import', 'Shop import', data, ['data-enrichment']),
      brief('newsletter', 'Newsletter', data),
    ],
  });
  expect(created.status).toBe(201);
  const programId = created.body.id as string;
  const get = async (): Promise<ProgramBody> => (await mara.client.get(`/v1/programs/${programId}`)).body;
  const until = (ready: (p: ProgramBody) => boolean) =>
    eventually(async () => {
      const p = await get();
      return ready(p) ? p : undefined;
    }, 20_000);
  const node = (p: ProgramBody, key: string) => p.briefs.find((b) => b.key === key) as ProgramBody['briefs'][number];
  const declineFirst = async (by: Member, reason: string): Promise<string> => {
    const p = await until((x) => node(x, 'supplier-data').state === 'running' && node(x, 'supplier-data').briefId !== null);
    const briefId = node(p, 'supplier-data').briefId as string;
    expect((await by.client.post(`/v1/briefs/${briefId}/decline`, { reason })).status).toBe(200);
    await until((x) => node(x, 'supplier-data').state === 'failed');
    return briefId;
  };

  const reason = 'No capacity before March. <script>alert("x")</script>';
  await declineFirst(sven, reason);
  const subject = /Program “Winter launch”: “Supplier data” was declined — replace or drop it/;
  const [notice] = await eventually(async () => {
    const found = mailsTo('mara.owner@example.test', subject);
    return found.length ? found : undefined;
  }, 30_000);
  const text = notice.text as string;
  const html = notice.html as string;
  expect(text).toContain('“Supplier data” (Nordic Boots <Supplier>) was declined');
  expect(text).toContain('2 briefs of the program wait for it.');
  expect(text).toContain(`> ${reason}`);
  expect(text).toContain('- Data <b>enrichment</b> (data-enrichment)\n- Shop import (shop-import)');
  expect(text).not.toContain('newsletter');
  expect(text).toContain(`POST /v1/programs/${programId}/briefs/supplier-data/replace`);
  expect(text).toContain(`POST /v1/programs/${programId}/briefs/supplier-data/drop`);
  // What the parties wrote is shown, never run or rendered as markup.
  expect(html).toContain('No capacity before March. &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  expect(html).toContain('Data &lt;b&gt;enrichment&lt;/b&gt; (data-enrichment)');
  expect(html).toContain('Nordic Boots &lt;Supplier&gt;');
  expect(html).not.toMatch(/<script|<b>/);

  // The link opens the program's page in the web app.
  const link = /Open the program: (\S+)/.exec(text)?.[1] as string;
  expect(new URL(link).pathname).toBe(`/programs/${programId}`);
  expect(html).toContain(`href="${link}"`);
  const page = await fetch(`${handoff.url}${new URL(link).pathname}`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);

  // The owner replaces the brief with one for another party; it is declined too: a notice of its own.
  const replaced = await mara.client.post(`/v1/programs/${programId}/briefs/supplier-data/replace`, { partyId: other });
  expect(replaced.status).toBe(200);
  await declineFirst(olga, 'Not our range');
  const second = await eventually(async () => mailsTo('mara.owner@example.test', /“Supplier data” was declined/).find((m) => m.text?.includes('Not our range')), 30_000);
  expect(second.text).toContain('(Second Supplier) was declined');

  // Dropping it starts the briefs it held.
  expect((await mara.client.post(`/v1/programs/${programId}/briefs/supplier-data/drop`, {})).status).toBe(200);
  const p = await until((x) => node(x, 'data-enrichment').state === 'running');
  expect(node(p, 'supplier-data').state).toBe('dropped');
  expect(node(p, 'shop-import').blockedBy).toEqual(['data-enrichment']);

  // Each declined brief was noticed once: the outbox sends nothing twice.
  expect(mailsTo('mara.owner@example.test', subject)).toHaveLength(2);
  expect(mailsTo('sven.supplier@example.test', /Program/)).toEqual([]);
}, 150_000);
