// Administration of parties: the list and a new party; a party's members, a new member,
// deactivating and reactivating one (with a reason for the audit log); a member's API keys:
// listed, created (the key shown once) and revoked.
import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../../api/client';
import { formatInstant, useCommon, useText } from '../../i18n';
import { FieldError, FormStatus, SecretBox, timeZones, useForm, valueOf } from './form';
import { ErrorNote } from '../../components/error-note';

type Party = Schemas['Party'];
type Member = Schemas['Member'];
type ApiKey = Schemas['ApiKey'];
const KINDS = ['ecommerce', 'agency', 'it', 'logistics', 'marketing', 'customer_service', 'supplier', 'marketplace'] as const;
const ROLES = ['member', 'watcher', 'manager', 'admin'] as const;

const TEXT = {
  en: {
    parties: 'Parties',
    name: 'Name',
    kind: 'Kind',
    kinds: { ecommerce: 'E-commerce team', agency: 'Agency', it: 'IT', logistics: 'Logistics', marketing: 'Marketing', customer_service: 'Customer service', supplier: 'Supplier', marketplace: 'Marketplace' } as Record<string, string>,
    defaultPolicy: 'Default SLA policy',
    systemDefault: 'The system default',
    created: 'Created',
    actions: 'Actions',
    showMembers: 'Members',
    newParty: 'New party',
    createParty: 'Create party',
    partyCreated: (name: string) => `Party “${name}” created.`,
    membersOf: (name: string) => `Members of ${name}`,
    noMembers: 'No members yet.',
    email: 'Email',
    role: 'Role',
    locale: 'Language',
    timezone: 'Time zone',
    noTimezone: 'Not set (the calendar’s)',
    lead: 'Party lead (receives its escalations)',
    leadShort: 'lead',
    scope: 'Watcher scope',
    scopes: { '': 'Default', all: 'All parties', party: 'Own party only' } as Record<string, string>,
    state: 'State',
    active: 'Active',
    deactivated: (at: string) => `Deactivated ${at}`,
    newMember: 'New member',
    addMember: 'Add member',
    memberAdded: (name: string) => `${name} added.`,
    deactivate: 'Deactivate',
    reactivate: 'Reactivate',
    reason: 'Reason (kept in the audit log)',
    confirmDeactivate: (name: string) => `Deactivate ${name}`,
    confirmReactivate: (name: string) => `Reactivate ${name}`,
    deactivated2: (name: string) => `${name} is deactivated: their keys and links stop working.`,
    reactivated: (name: string) => `${name} is active again.`,
    keys: 'API keys',
    keysOf: (name: string) => `API keys of ${name}`,
    noKeys: 'No API keys.',
    prefix: 'Key',
    lastUsed: 'Last used',
    expires: 'Expires',
    never: 'never',
    revoked: 'Revoked',
    revoke: 'Revoke',
    confirmRevoke: 'Revoke now',
    keyRevoked: (prefix: string) => `Key ${prefix}… revoked.`,
    expiresAt: 'New key: expires at (optional, this device’s time zone)',
    createKey: 'Create key',
    theKey: 'The new API key',
    close: 'Close',
  },
  de: {
    parties: 'Partner',
    name: 'Name',
    kind: 'Art',
    kinds: { ecommerce: 'E-Commerce-Team', agency: 'Agentur', it: 'IT', logistics: 'Logistik', marketing: 'Marketing', customer_service: 'Kundenservice', supplier: 'Lieferant', marketplace: 'Marktplatz' } as Record<string, string>,
    defaultPolicy: 'Standard-SLA-Richtlinie',
    systemDefault: 'Die Systemvorgabe',
    created: 'Angelegt',
    actions: 'Aktionen',
    showMembers: 'Mitglieder',
    newParty: 'Neuer Partner',
    createParty: 'Partner anlegen',
    partyCreated: (name: string) => `Partner „${name}“ angelegt.`,
    membersOf: (name: string) => `Mitglieder von ${name}`,
    noMembers: 'Noch keine Mitglieder.',
    email: 'E-Mail',
    role: 'Rolle',
    locale: 'Sprache',
    timezone: 'Zeitzone',
    noTimezone: 'Nicht gesetzt (die des Kalenders)',
    lead: 'Leitung des Partners (erhält seine Eskalationen)',
    leadShort: 'Leitung',
    scope: 'Sichtbereich (Beobachter)',
    scopes: { '': 'Standard', all: 'Alle Partner', party: 'Nur eigener Partner' } as Record<string, string>,
    state: 'Stand',
    active: 'Aktiv',
    deactivated: (at: string) => `Deaktiviert ${at}`,
    newMember: 'Neues Mitglied',
    addMember: 'Mitglied hinzufügen',
    memberAdded: (name: string) => `${name} hinzugefügt.`,
    deactivate: 'Deaktivieren',
    reactivate: 'Reaktivieren',
    reason: 'Grund (steht im Prüfprotokoll)',
    confirmDeactivate: (name: string) => `${name} deaktivieren`,
    confirmReactivate: (name: string) => `${name} reaktivieren`,
    deactivated2: (name: string) => `${name} ist deaktiviert: Schlüssel und Links funktionieren nicht mehr.`,
    reactivated: (name: string) => `${name} ist wieder aktiv.`,
    keys: 'API-Schlüssel',
    keysOf: (name: string) => `API-Schlüssel von ${name}`,
    noKeys: 'Keine API-Schlüssel.',
    prefix: 'Schlüssel',
    lastUsed: 'Zuletzt benutzt',
    expires: 'Läuft ab',
    never: 'nie',
    revoked: 'Widerrufen',
    revoke: 'Widerrufen',
    confirmRevoke: 'Jetzt widerrufen',
    keyRevoked: (prefix: string) => `Schlüssel ${prefix}… widerrufen.`,
    expiresAt: 'Neuer Schlüssel: läuft ab am (optional, Zeitzone dieses Geräts)',
    createKey: 'Schlüssel erstellen',
    theKey: 'Der neue API-Schlüssel',
    close: 'Schließen',
  },
};

export function Parties() {
  const text = useText(TEXT);
  const [parties, setParties] = useState<Party[]>();
  const [policies, setPolicies] = useState<{ id: string; name: string }[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [draft, setDraft] = useState({ name: '', kind: 'agency', defaultSlaPolicyId: '' });
  const form = useForm();

  const load = () =>
    ok(api.GET('/v1/parties', { params: { query: { limit: 200 } } })).then(
      (page) => setParties(page.items),
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
  useEffect(() => {
    void load();
    ok(api.GET('/v1/sla-policies', { params: { query: { limit: 200 } } })).then(
      (page) => setPolicies(page.items),
      () => undefined,
    );
  }, []);

  const policyName = (id: string | null) => (id ? (policies.find((p) => p.id === id)?.name ?? id) : text.systemDefault);
  const party = parties?.find((p) => p.id === selected);

  return (
    <>
      <h2>{text.parties}</h2>
      <ErrorNote message={loadError} />
      {parties && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{text.name}</th>
              <th scope="col">{text.kind}</th>
              <th scope="col">{text.defaultPolicy}</th>
              <th scope="col">{text.created}</th>
              <th scope="col">{text.actions}</th>
            </tr>
          </thead>
          <tbody>
            {parties.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.name}</th>
                <td data-label={text.kind}>{text.kinds[p.kind]}</td>
                <td data-label={text.defaultPolicy}>{policyName(p.defaultSlaPolicyId)}</td>
                <td data-label={text.created}>{formatInstant(p.createdAt, true)}</td>
                <td>
                  <button type="button" class="secondary" aria-expanded={selected === p.id} aria-controls="party-members" onClick={() => setSelected(selected === p.id ? null : p.id)} aria-label={`${text.showMembers}: ${p.name}`}>
                    {text.showMembers}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div id="party-members">{party && <Members key={party.id} party={party} />}</div>

      <h3>{text.newParty}</h3>
      <form
        class="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            const created = await ok(
              api.POST('/v1/parties', {
                body: { name: draft.name, kind: draft.kind as Party['kind'], ...(draft.defaultSlaPolicyId ? { defaultSlaPolicyId: draft.defaultSlaPolicyId } : {}) },
              }),
            );
            setParties((list) => [...(list ?? []), created]);
            setDraft({ name: '', kind: 'agency', defaultSlaPolicyId: '' });
            return text.partyCreated(created.name);
          });
        }}
      >
        <label for="party-name">{text.name}</label>
        <input id="party-name" required maxLength={200} value={draft.name} onInput={(e) => setDraft({ ...draft, name: valueOf(e) })} {...form.describe('party-name', 'name')} />
        <FieldError form={form} id="party-name" path="name" />
        <label for="party-kind">{text.kind}</label>
        <select id="party-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: valueOf(e) })} {...form.describe('party-kind', 'kind')}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {text.kinds[k]}
            </option>
          ))}
        </select>
        <FieldError form={form} id="party-kind" path="kind" />
        <label for="party-policy">{text.defaultPolicy}</label>
        <select id="party-policy" value={draft.defaultSlaPolicyId} onChange={(e) => setDraft({ ...draft, defaultSlaPolicyId: valueOf(e) })} {...form.describe('party-policy', 'defaultSlaPolicyId')}>
          <option value="">{text.systemDefault}</option>
          {policies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <FieldError form={form} id="party-policy" path="defaultSlaPolicyId" />
        <FormStatus form={form} />
        <div class="actions">
          <button type="submit" disabled={form.busy}>
            {text.createParty}
          </button>
        </div>
      </form>
    </>
  );
}

const emptyMember = { name: '', email: '', role: 'member', locale: 'de', timezone: '', isLead: false, scope: '' };

function Members({ party }: { party: Party }) {
  const text = useText(TEXT);
  const common = useCommon();
  const [members, setMembers] = useState<Member[]>();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState(emptyMember);
  const [changing, setChanging] = useState<{ member: Member; reason: string } | null>(null);
  const [keysOf, setKeysOf] = useState<Member | null>(null);
  const form = useForm();
  const stateForm = useForm();

  useEffect(() => {
    ok(api.GET('/v1/parties/{id}/members', { params: { path: { id: party.id }, query: { limit: 200 } } })).then(
      (page) => setMembers(page.items),
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
  }, [party.id]);

  const replace = (m: Member) => setMembers((list) => list?.map((x) => (x.id === m.id ? m : x)));

  const changeState = () => {
    if (!changing) return;
    const { member, reason } = changing;
    const body = reason.trim() ? { reason: reason.trim() } : {};
    void stateForm.run(async () => {
      if (member.deactivatedAt) {
        replace(await ok(api.POST('/v1/members/{id}/reactivate', { params: { path: { id: member.id } }, body })));
        setChanging(null);
        return text.reactivated(member.name);
      }
      replace(await ok(api.POST('/v1/members/{id}/deactivate', { params: { path: { id: member.id } }, body })));
      setChanging(null);
      return text.deactivated2(member.name);
    });
  };

  return (
    <section class="card" aria-labelledby="members-title">
      <h3 id="members-title">{text.membersOf(party.name)}</h3>
      <ErrorNote message={loadError} />
      {!members && !loadError && <p class="loading">{common.loading}</p>}
      {members?.length === 0 && <p class="muted">{text.noMembers}</p>}
      {members && members.length > 0 && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{text.name}</th>
              <th scope="col">{text.email}</th>
              <th scope="col">{text.role}</th>
              <th scope="col">{text.locale}</th>
              <th scope="col">{text.timezone}</th>
              <th scope="col">{text.state}</th>
              <th scope="col">{text.actions}</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {m.name} {m.isLead && <span class="badge">{text.leadShort}</span>}
                </th>
                <td data-label={text.email}>{m.email}</td>
                <td data-label={text.role}>
                  {common.role[m.role]}
                  {m.role === 'watcher' && <span class="muted"> · {text.scopes[m.scope]}</span>}
                </td>
                <td data-label={text.locale}>{m.locale === 'de' ? 'Deutsch' : 'English'}</td>
                <td data-label={text.timezone}>{m.timezone ?? '–'}</td>
                <td data-label={text.state}>{m.deactivatedAt ? <span class="badge hold">{text.deactivated(formatInstant(m.deactivatedAt, true))}</span> : <span class="badge ok">{text.active}</span>}</td>
                <td>
                  <div class="actions">
                    <button type="button" class="secondary" onClick={() => setChanging({ member: m, reason: '' })} aria-label={`${m.deactivatedAt ? text.reactivate : text.deactivate}: ${m.name}`}>
                      {m.deactivatedAt ? text.reactivate : text.deactivate}
                    </button>
                    <button type="button" class="secondary" aria-expanded={keysOf?.id === m.id} onClick={() => setKeysOf(keysOf?.id === m.id ? null : m)} aria-label={`${text.keys}: ${m.name}`}>
                      {text.keys}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormStatus form={stateForm} />
      {changing && (
        <form
          class="card"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            changeState();
          }}
        >
          <label for="member-reason">{text.reason}</label>
          <input id="member-reason" maxLength={500} value={changing.reason} onInput={(e) => setChanging({ ...changing, reason: valueOf(e) })} {...stateForm.describe('member-reason', 'reason')} />
          <FieldError form={stateForm} id="member-reason" path="reason" />
          <div class="actions">
            <button type="submit" class={changing.member.deactivatedAt ? undefined : 'danger'} disabled={stateForm.busy}>
              {changing.member.deactivatedAt ? text.confirmReactivate(changing.member.name) : text.confirmDeactivate(changing.member.name)}
            </button>
            <button type="button" class="secondary" onClick={() => setChanging(null)}>
              {common.cancel}
            </button>
          </div>
        </form>
      )}
      {keysOf && <ApiKeys key={keysOf.id} member={keysOf} onClose={() => setKeysOf(null)} />}

      <h4>{text.newMember}</h4>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            const created = await ok(
              api.POST('/v1/parties/{id}/members', {
                params: { path: { id: party.id } },
                body: {
                  name: draft.name,
                  email: draft.email.trim(),
                  role: draft.role as Member['role'],
                  locale: draft.locale as Member['locale'],
                  isLead: draft.isLead,
                  ...(draft.timezone ? { timezone: draft.timezone } : {}),
                  ...(draft.scope ? { scope: draft.scope as Member['scope'] } : {}),
                },
              }),
            );
            setMembers((list) => [...(list ?? []), created]);
            setDraft(emptyMember);
            return text.memberAdded(created.name);
          });
        }}
      >
        <div class="row">
          <div>
            <label for="member-name">{text.name}</label>
            <input id="member-name" required maxLength={200} autoComplete="off" value={draft.name} onInput={(e) => setDraft({ ...draft, name: valueOf(e) })} {...form.describe('member-name', 'name')} />
            <FieldError form={form} id="member-name" path="name" />
          </div>
          <div>
            <label for="member-email">{text.email}</label>
            <input id="member-email" type="email" required autoComplete="off" value={draft.email} onInput={(e) => setDraft({ ...draft, email: valueOf(e) })} {...form.describe('member-email', 'email')} />
            <FieldError form={form} id="member-email" path="email" />
          </div>
        </div>
        <div class="row">
          <div>
            <label for="member-role">{text.role}</label>
            <select id="member-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: valueOf(e) })} {...form.describe('member-role', 'role')}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {common.role[r]}
                </option>
              ))}
            </select>
            <FieldError form={form} id="member-role" path="role" />
          </div>
          <div>
            <label for="member-locale">{text.locale}</label>
            <select id="member-locale" value={draft.locale} onChange={(e) => setDraft({ ...draft, locale: valueOf(e) })} {...form.describe('member-locale', 'locale')}>
              <option value="de">Deutsch</option>
              <option value="en">English</option>
            </select>
            <FieldError form={form} id="member-locale" path="locale" />
          </div>
          <div>
            <label for="member-timezone">{text.timezone}</label>
            <select id="member-timezone" value={draft.timezone} onChange={(e) => setDraft({ ...draft, timezone: valueOf(e) })} {...form.describe('member-timezone', 'timezone')}>
              <option value="">{text.noTimezone}</option>
              {timeZones().map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
            <FieldError form={form} id="member-timezone" path="timezone" />
          </div>
          {draft.role === 'watcher' && (
            <div>
              <label for="member-scope">{text.scope}</label>
              <select id="member-scope" value={draft.scope} onChange={(e) => setDraft({ ...draft, scope: valueOf(e) })} {...form.describe('member-scope', 'scope')}>
                {['', 'all', 'party'].map((s) => (
                  <option key={s} value={s}>
                    {text.scopes[s]}
                  </option>
                ))}
              </select>
              <FieldError form={form} id="member-scope" path="scope" />
            </div>
          )}
        </div>
        <label class="check">
          <input type="checkbox" checked={draft.isLead} onChange={(e) => setDraft({ ...draft, isLead: e.currentTarget.checked })} />
          {text.lead}
        </label>
        <FormStatus form={form} />
        <div class="actions">
          <button type="submit" disabled={form.busy}>
            {text.addMember}
          </button>
        </div>
      </form>
    </section>
  );
}

/** A datetime-local value (the browser's zone) as an ISO instant. */
const instantOf = (local: string) => new Date(local).toISOString();

function ApiKeys({ member, onClose }: { member: Member; onClose: () => void }) {
  const text = useText(TEXT);
  const common = useCommon();
  const [keys, setKeys] = useState<ApiKey[]>();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [expiresAt, setExpiresAt] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const form = useForm();
  const revokeForm = useForm();

  useEffect(() => {
    ok(api.GET('/v1/members/{id}/api-keys', { params: { path: { id: member.id }, query: { limit: 200 } } })).then(
      (page) => setKeys(page.items),
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
  }, [member.id]);

  return (
    <section class="card" aria-labelledby="keys-title">
      <h4 id="keys-title">{text.keysOf(member.name)}</h4>
      <ErrorNote message={loadError} />
      {!keys && !loadError && <p class="loading">{common.loading}</p>}
      {keys?.length === 0 && <p class="muted">{text.noKeys}</p>}
      {keys && keys.length > 0 && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{text.prefix}</th>
              <th scope="col">{text.created}</th>
              <th scope="col">{text.lastUsed}</th>
              <th scope="col">{text.expires}</th>
              <th scope="col">{text.actions}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <th scope="row">
                  <code>{k.prefix}…</code>
                </th>
                <td data-label={text.created}>{formatInstant(k.createdAt, true)}</td>
                <td data-label={text.lastUsed}>{formatInstant(k.lastUsedAt, true)}</td>
                <td data-label={text.expires}>{k.expiresAt ? formatInstant(k.expiresAt, true) : text.never}</td>
                <td>
                  {k.revokedAt ? (
                    <span class="badge hold">
                      {text.revoked} {formatInstant(k.revokedAt, true)}
                    </span>
                  ) : confirming === k.id ? (
                    <div class="actions">
                      <button
                        type="button"
                        class="danger"
                        disabled={revokeForm.busy}
                        onClick={() =>
                          void revokeForm.run(async () => {
                            const revoked = await ok(api.POST('/v1/members/{id}/api-keys/{keyId}/revoke', { params: { path: { id: member.id, keyId: k.id } } }));
                            setKeys((list) => list?.map((x) => (x.id === k.id ? revoked : x)));
                            setConfirming(null);
                            return text.keyRevoked(k.prefix);
                          })
                        }
                        aria-label={`${text.confirmRevoke}: ${k.prefix}`}
                      >
                        {text.confirmRevoke}
                      </button>
                      <button type="button" class="secondary" onClick={() => setConfirming(null)}>
                        {common.cancel}
                      </button>
                    </div>
                  ) : (
                    <button type="button" class="secondary" onClick={() => setConfirming(k.id)} aria-label={`${text.revoke}: ${k.prefix}`}>
                      {text.revoke}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormStatus form={revokeForm} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            const created = await ok(
              api.POST('/v1/members/{id}/api-keys', { params: { path: { id: member.id } }, body: expiresAt ? { expiresAt: instantOf(expiresAt) } : {} }),
            );
            const { key, ...listed } = created;
            setKeys((list) => [listed, ...(list ?? [])]);
            setSecret(key);
            setExpiresAt('');
          });
        }}
      >
        <label for="key-expires">{text.expiresAt}</label>
        <input id="key-expires" type="datetime-local" value={expiresAt} onInput={(e) => setExpiresAt(valueOf(e))} {...form.describe('key-expires', 'expiresAt')} />
        <FieldError form={form} id="key-expires" path="expiresAt" />
        <FormStatus form={form} />
        <div class="actions">
          <button type="submit" disabled={form.busy}>
            {text.createKey}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {text.close}
          </button>
        </div>
      </form>
      {secret && <SecretBox id="new-api-key" label={text.theKey} secret={secret} />}
    </section>
  );
}
