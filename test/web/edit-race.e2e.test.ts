// Editing a brief in the browser under the ETag rules: a manager's edit saves with the brief's
// ETag; when another manager changed the brief after the page last read it, the edit is refused
// (412), the page says so and shows the brief as it is now, and nothing of the lost edit is saved.
import type { Member } from '../support/directory';
import { check, signInByEmail, startWebStack, watchProblems, type WebStack } from './support';

let stack: WebStack;
let mara: Member;
let ben: Member;
let briefId: string;

beforeAll(async () => {
  stack = await startWebStack('edit-race');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  const agency = await stack.dir.party('Pixelwerk');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  ben = await stack.dir.memberWith(shop, { name: 'Ben Manager', email: 'ben@shop.example', role: 'manager', locale: 'en' });
  await stack.dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', isLead: true });
  const created = await mara.client.post('/v1/briefs', { title: 'Winter banner', description: 'One banner', partyId: agency, priority: 'P3' });
  expect(created.status).toBe(201);
  briefId = created.body.id as string;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test('an edit saves with the ETag; one that lost a race says so, shows the current brief and saves nothing', async () => {
  const context = await stack.newContext();
  try {
    const page = await signInByEmail(stack, context, 'mara@shop.example');
    const problems = watchProblems(page);
    await page.goto(`/briefs/${briefId}`);
    await page.getByRole('heading', { level: 1, name: 'Winter banner' }).waitFor();

    // An edit on a current page saves.
    await page.getByRole('button', { name: 'Edit brief' }).click();
    await page.getByLabel('Title').fill('Winter banner, two sizes');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Winter banner, two sizes' }).waitFor({ timeout: 5_000 });
    expect((await mara.client.get(`/v1/briefs/${briefId}`)).body.title).toBe('Winter banner, two sizes');

    // The form is open on the version the page read; another manager edits the brief meanwhile.
    await page.getByRole('button', { name: 'Edit brief' }).click();
    await page.getByLabel('Title').fill('Winter banner (Mara)');
    const current = await ben.client.get(`/v1/briefs/${briefId}`);
    const theirs = await ben.client.request('PATCH', `/v1/briefs/${briefId}`, { description: 'One banner, and a teaser (Ben)' }, { 'if-match': current.headers.get('etag') as string });
    expect(theirs.status).toBe(200);
    // The page reads the changed brief while the form is open (its description shows the other
    // edit): the form keeps what was typed, and its version.
    await page.getByText('One banner, and a teaser (Ben)').waitFor({ timeout: 5_000 });
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Winter banner (Mara)');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await page.getByRole('alert').filter({ hasText: 'Someone changed this brief while you were editing' }).waitFor({ timeout: 5_000 });
    // The page shows the brief as it is now: the other edit, not the lost one.
    await page.getByText('One banner, and a teaser (Ben)').first().waitFor({ timeout: 5_000 });
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Winter banner, two sizes');
    const after = (await mara.client.get(`/v1/briefs/${briefId}`)).body;
    expect(after.title).toBe('Winter banner, two sizes');
    expect(after.description).toBe('One banner, and a teaser (Ben)');
    await check(stack, page, 'brief-lost-race');
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
