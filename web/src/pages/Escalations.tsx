// Placeholder: the page is being built.
export function Escalations() {
  return <h1>Escalations</h1>;
}
