// Placeholder: the page is being built.
export function NewBrief() {
  return <h1>NewBrief</h1>;
}
