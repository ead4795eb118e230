import { useText } from '../i18n';

const TEXT = {
  en: { title: 'Page not found', body: 'There is no page at this address.', home: 'Go to the start page' },
  de: { title: 'Seite nicht gefunden', body: 'Unter dieser Adresse gibt es keine Seite.', home: 'Zur Startseite' },
};

export function NotFound() {
  const text = useText(TEXT);
  return (
    <section>
      <h1>{text.title}</h1>
      <p>{text.body}</p>
      <p>
        <a href="/">{text.home}</a>
      </p>
    </section>
  );
}
