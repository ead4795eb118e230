// Placeholder: the page is being built.
export function Settings() {
  return <h1>Settings</h1>;
}
