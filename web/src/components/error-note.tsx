// A failure a page or form reports: announced to screen readers as it appears; nothing when there is none.
export function ErrorNote({ message }: { message: string | null | undefined }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}
