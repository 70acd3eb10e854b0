// Turns an example from the server's settings into a GraphiQL tab.
export function exampleTab({ name, query, variables }) {
  // GraphiQL titles a tab by its operation name; the example's own name goes
  // into the first line of the editor so that readers see what it shows.
  const heading = name ? `# ${name.replace(/\s+/g, ' ').trim()}\n` : '';
  return { query: heading + query, variables: variables || null };
}
