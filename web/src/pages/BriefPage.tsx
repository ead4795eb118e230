// Placeholder: the page is being built.
export function BriefPage() {
  return <h1>BriefPage</h1>;
}
