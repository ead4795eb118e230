// What the administration and settings forms share: sending with a busy state, the API's 400
// answers shown next to the field each error names (`body.name` beside the name field), the
// problem's detail above the form, and a success note.
import { useState } from 'preact/hooks';
import { ApiProblem } from '../../api/client';
import { useText } from '../../i18n';

const TEXT = {
  en: { fix: 'Please correct:' },
  de: { fix: 'Bitte korrigieren:' },
};

export interface FormState {
  busy: boolean;
  error: string | null;
  success: string | null;
  /** Field errors by path without `body.`, e.g. `name`, `targets.acknowledge.P1`. */
  fields: Record<string, string>;
  /** Runs the request; what it returns (if anything) is shown as the success note. */
  run(work: () => Promise<string | void>): Promise<boolean>;
  /** The first error at `path` or under it. */
  errorAt(path: string): string | undefined;
  /** aria attributes for the control at `path`; its error's element id is `${id}-error`. */
  describe(id: string, path: string): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string };
  clear(): void;
}

const fieldOf = (path: string) => path.replace(/^body\./, '');

export function useForm(): FormState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const errorAt = (path: string) => fields[path] ?? Object.entries(fields).find(([key]) => key.startsWith(`${path}.`))?.[1];
  return {
    busy,
    error,
    success,
    fields,
    errorAt,
    describe: (id, path) => (errorAt(path) ? { 'aria-invalid': 'true', 'aria-describedby': `${id}-error` } : {}),
    clear: () => {
      setError(null);
      setSuccess(null);
      setFields({});
    },
    async run(work) {
      setBusy(true);
      setError(null);
      setSuccess(null);
      setFields({});
      try {
        const note = await work();
        if (note) setSuccess(note);
        return true;
      } catch (err) {
        if (err instanceof ApiProblem) {
          const next: Record<string, string> = {};
          for (const { path, message } of err.problem.errors ?? []) next[fieldOf(path)] ??= message;
          setFields(next);
        }
        setError(err instanceof Error ? err.message : String(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

/** The error of one field, referenced by its control's aria-describedby. */
export function FieldError({ form, id, path }: { form: FormState; id: string; path: string }) {
  const message = form.errorAt(path);
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

/** The problem's detail (with every field error it names) and the success note. */
export function FormStatus({ form }: { form: FormState }) {
  const text = useText(TEXT);
  const listed = Object.entries(form.fields);
  return (
    <>
      {form.error && (
        <div class="error" role="alert">
          <p>{form.error}</p>
          {listed.length > 0 && (
            <>
              <p>{text.fix}</p>
              <ul>
                {listed.map(([path, message]) => (
                  <li key={path}>
                    <code>{path}</code>: {message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {form.success && (
        <p class="success" role="status">
          {form.success}
        </p>
      )}
    </>
  );
}

export const valueOf = (e: Event) => (e.currentTarget as HTMLInputElement).value;

/** The IANA time zones this browser knows, UTC first. */
export function timeZones(current?: string | null): string[] {
  const known = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set(['UTC', ...(current ? [current] : []), ...known])];
}

const SECRET_TEXT = {
  en: {
    warning: 'Copy it now: it is shown only this once and cannot be read again.',
    copy: 'Copy',
    copied: 'Copied',
    copyFailed: 'Copying is not allowed here: select the text and copy it.',
  },
  de: {
    warning: 'Jetzt kopieren: Er wird nur dieses eine Mal angezeigt und kann nicht erneut gelesen werden.',
    copy: 'Kopieren',
    copied: 'Kopiert',
    copyFailed: 'Kopieren ist hier nicht erlaubt: Text markieren und kopieren.',
  },
};

/** A secret shown once: read-only, selectable, with a copy button and the warning. */
export function SecretBox({ id, label, secret }: { id: string; label: string; secret: string }) {
  const text = useText(SECRET_TEXT);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <div class="secret">
      <label for={id}>
        {label}
      </label>
      <p class="field-error" id={`${id}-warning`}>
        {text.warning}
      </p>
      <input id={id} readOnly value={secret} aria-describedby={`${id}-warning`} onFocus={(e) => e.currentTarget.select()} />
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => {
            if (!navigator.clipboard) return setCopied('failed');
            navigator.clipboard.writeText(secret).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            );
          }}
        >
          {text.copy}
        </button>
        <span role="status">{copied === 'yes' ? text.copied : copied === 'failed' ? text.copyFailed : ''}</span>
      </div>
    </div>
  );
}
