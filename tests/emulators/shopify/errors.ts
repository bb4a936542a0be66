// Shopify's GraphQL server is graphql-ruby; its validation messages differ from graphql-js's.
// The most common ones are rewritten here so clients see what Shopify would send.

import { GraphQLError } from "graphql";

export function translateGraphQLError(e: GraphQLError): GraphQLError {
  const m = e.message;
  const opts = { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError };
  let r = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(m);
  if (r) {
    return new GraphQLError(`Field '${r[1]}' doesn't exist on type '${r[2]}'`, {
      ...opts,
      extensions: { code: "undefinedField", typeName: r[2], fieldName: r[1] },
    });
  }
  r = /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"\./.exec(m);
  if (r) {
    return new GraphQLError(`Field '${r[3]}' doesn't accept argument '${r[1]}'`, {
      ...opts,
      extensions: { code: "argumentNotAccepted", name: r[3], typeName: "Field", argumentName: r[1] },
    });
  }
  r = /^Field "([^"]+)" argument "([^"]+)" of type "[^"]+" is required, but it was not provided\./.exec(m);
  if (r) {
    return new GraphQLError(`Field '${r[1]}' is missing required arguments: ${r[2]}`, {
      ...opts,
      extensions: { code: "missingRequiredArguments", className: "Field", name: r[1], arguments: r[2] },
    });
  }
  r = /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields\./.exec(m);
  if (r) {
    return new GraphQLError(`Field must have selections (field '${r[1]}' returns ${r[2]} but has no selections. Did you mean '${r[1]} { ... }'?)`, {
      ...opts,
      extensions: { code: "selectionMismatch", nodeName: `field '${r[1]}'`, typeName: r[2] },
    });
  }
  return e;
}
