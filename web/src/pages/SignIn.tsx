// Signing in: a member asks for a link by email (single use, it lands in their mailbox, or in the
// outbox folder of an embedded start without SMTP); admins and developers may use an API key.
// The link's page (/signin/<token>) signs in with one click and refuses a used or expired link.
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { LOCALES, locale, setLocale, useText } from '../i18n';
import { requestSignInLink, signInWith } from '../session';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    title: 'Sign in to Handoff',
    intro: 'Enter the email address you are registered with. We send you a link that signs you in once.',
    email: 'Email address',
    send: 'Send sign-in link',
    sent: (email: string) => `If ${email} belongs to a member, a sign-in link is on its way. It works once.`,
    withKey: 'Sign in with an API key (admins and developers)',
    apiKey: 'API key',
    keySubmit: 'Sign in with key',
    linkTitle: 'Sign in',
    linkIntro: 'This link signs you in to Handoff once.',
    linkSubmit: 'Sign in',
    linkFailed: 'This sign-in link cannot be used',
    requestNew: 'Request a new link',
    language: 'Language',
  },
  de: {
    title: 'Bei Handoff anmelden',
    intro: 'Geben Sie die E-Mail-Adresse ein, mit der Sie registriert sind. Sie erhalten einen Link, der Sie einmal anmeldet.',
    email: 'E-Mail-Adresse',
    send: 'Anmeldelink senden',
    sent: (email: string) => `Wenn ${email} zu einem Mitglied gehört, ist ein Anmeldelink unterwegs. Er gilt einmal.`,
    withKey: 'Mit einem API-Schlüssel anmelden (Admins und Entwickler)',
    apiKey: 'API-Schlüssel',
    keySubmit: 'Mit Schlüssel anmelden',
    linkTitle: 'Anmelden',
    linkIntro: 'Dieser Link meldet Sie einmal bei Handoff an.',
    linkSubmit: 'Anmelden',
    linkFailed: 'Dieser Anmeldelink kann nicht verwendet werden',
    requestNew: 'Neuen Link anfordern',
    language: 'Sprache',
  },
};

function LanguageSwitch() {
  const text = useText(TEXT);
  return (
    <label class="language">
      {text.language}{' '}
      <select value={locale.value} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as 'en' | 'de')}>
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {l === 'de' ? 'Deutsch' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function SignIn() {
  const text = useText(TEXT);
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="narrow">
      <LanguageSwitch />
      <h1>{text.title}</h1>
      <p>{text.intro}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await requestSignInLink(email.trim(), locale.value);
            setSentTo(email.trim());
          });
        }}
      >
        <label for="email">{text.email}</label>
        <input id="email" name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {text.send}
        </button>
      </form>
      {sentTo && (
        <p class="notice" role="status">
          {text.sent(sentTo)}
        </p>
      )}
      <ErrorNote message={error} />
      <details>
        <summary>{text.withKey}</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => signInWith({ apiKey: apiKey.trim() }));
          }}
        >
          <label for="api-key">{text.apiKey}</label>
          <input id="api-key" name="apiKey" type="password" autoComplete="off" required value={apiKey} onInput={(e) => setApiKey(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            {text.keySubmit}
          </button>
        </form>
      </details>
    </main>
  );
}

export function SignInLink() {
  const text = useText(TEXT);
  const { params } = useRoute();
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="narrow">
      <LanguageSwitch />
      <h1>{text.linkTitle}</h1>
      <p>{text.linkIntro}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          signInWith({ token: params.token ?? '' })
            .then(() => route('/', true))
            .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
            .finally(() => setBusy(false));
        }}
      >
        <button type="submit" disabled={busy}>
          {text.linkSubmit}
        </button>
      </form>
      {error && (
        <div class="error" role="alert">
          <p>
            <strong>{text.linkFailed}</strong>: {error}
          </p>
          <p>
            <a href="/signin">{text.requestNew}</a>
          </p>
        </div>
      )}
    </main>
  );
}
