// Placeholder: the page is being built.
export function Inbox() {
  return <h1>Inbox</h1>;
}
