// How the playground introspects the server. The asset build imports this too,
// so the stand-in server of the browser test answers the very same query.
export const introspectionOptions = {
  // Show deprecated arguments and input fields in the docs explorer.
  inputValueDeprecation: true,
  schemaDescription: false,
};
