// The stand-in GraphQL server of the playground's browser test
// (internal/playground) answers from a fixture computed here by graphql-js
// itself: the introspection query exactly as the page sends it, and one
// example query, each executed against a small schema shaped like dangbo's.
import { buildSchema, getIntrospectionQuery, graphqlSync } from 'graphql';
import { exampleTab } from '../src/examples.js';
import { introspectionOptions } from '../src/introspection.js';

const schema = buildSchema(`
"""
Stand-in for dangbo's schema, just big enough for the playground's browser test.
"""
type Query {
  "The provincial party organisations."
  roots: [Org!]!
}

enum OrgKind {
  PROVINCE
  DISTRICT
  GRASSROOTS_COMMITTEE
  GRASSROOTS_CELL
  PARTIAL_COMMITTEE
  CELL
}

type Org {
  id: ID!
  name: String!
  kind: OrgKind!
  childCount: Int!
}
`);

const rootValue = {
  roots: [
    { id: 'qn', name: 'Đảng bộ tỉnh Quảng Ninh', kind: 'PROVINCE', childCount: 20 },
    { id: 'vp', name: 'Đảng bộ tỉnh Vĩnh Phúc', kind: 'PROVINCE', childCount: 2 },
  ],
};

const example = {
  name: 'Các đảng bộ tỉnh',
  query: 'query Roots {\n  roots {\n    id\n    name\n    kind\n    childCount\n  }\n}\n',
  variables: '',
};

function answer(query) {
  const response = graphqlSync({ schema, source: query, rootValue });
  if (response.errors) throw new Error(`stand-in fixture: ${response.errors[0].message}`);
  return { query, variables: null, response };
}

export function standinFixture() {
  return {
    example,
    answers: [answer(getIntrospectionQuery(introspectionOptions)), answer(exampleTab(example).query)],
  };
}
