// Placeholder: the page is being built.
export function Board() {
  return <h1>Board</h1>;
}
