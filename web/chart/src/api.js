// The viewer's GraphQL client. Charts come in the compact column form of
// orgChart, several times cheaper for the server than a list of objects.

const chartFields = `
  columns { ids parentIds names kinds sectors depths childCounts memberCounts officialCounts probationaryCounts }
  linkColumns { from to memberCounts }`;

const rootsQuery = `query Roots($asOf: Date) { roots(asOf: $asOf) { id name } }`;

// Residence links join cells anywhere in a district or beyond, so they are
// asked for a whole subtree: a chart of its cells only, of which only the
// links are read.
const linksQuery = `query ResidenceLinks($rootId: ID!, $asOf: Date) {
  orgChart(rootId: $rootId, kinds: [CELL, GRASSROOTS_CELL], asOf: $asOf) { linkColumns { from to memberCounts } }
}`;

const searchQuery = `query Search($text: String!, $asOf: Date) {
  search(text: $text, first: 10, asOf: $asOf) {
    score
    path { id name }
    node {
      __typename
      ... on Org { id name kind }
      ... on Member { id fullName cell { id name } }
    }
  }
}`;

// One request for the children of any number of organisations, each chart
// under its own alias, so that opening a search hit's path is one round trip.
function subtreesQuery(count) {
  const params = Array.from({ length: count }, (_, i) => `$r${i}: ID!`).join(', ');
  const charts = Array.from(
    { length: count },
    (_, i) => `c${i}: orgChart(rootId: $r${i}, depth: 1, asOf: $asOf) { ${chartFields} }`,
  );
  return `query Subtrees($asOf: Date, ${params}) {\n${charts.join('\n')}\n}`;
}

/** An error the server or the network reported, in words for the user. */
export class ApiError extends Error {
  constructor(messages, codes = []) {
    super(messages.join('\n'));
    this.codes = codes;
  }

  get unauthenticated() {
    return this.codes.includes('UNAUTHENTICATED');
  }
}

export class Api {
  #endpoint;
  #storage;
  /** The date every query answers for (YYYY-MM-DD); null for today. */
  asOf = null;

  constructor(endpoint, storage) {
    this.#endpoint = endpoint;
    this.#storage = storage;
  }

  // The token lives in sessionStorage: it survives a reload of the tab but
  // not the end of the browser session.
  get token() {
    return this.#storage.getItem(tokenKey) ?? '';
  }

  set token(value) {
    if (value) this.#storage.setItem(tokenKey, value);
    else this.#storage.removeItem(tokenKey);
  }

  async #request(query, variables) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const token = this.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables: { ...variables, asOf: this.asOf } }),
      });
    } catch (err) {
      throw new ApiError([`Không kết nối được máy chủ: ${err.message}`]);
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError([`Máy chủ trả lời ${response.status} ${response.statusText} không kèm dữ liệu GraphQL`]);
    }
    if (body.errors?.length) {
      throw new ApiError(
        body.errors.map((e) => e.message),
        body.errors.map((e) => e.extensions?.code).filter(Boolean),
      );
    }
    return body.data;
  }

  async roots() {
    return (await this.#request(rootsQuery, {})).roots;
  }

  /** The children of each organisation: id → { nodes, links }, nodes[0] being the organisation itself. */
  async subtrees(ids) {
    const variables = Object.fromEntries(ids.map((id, i) => [`r${i}`, id]));
    const data = await this.#request(subtreesQuery(ids.length), variables);
    return new Map(ids.map((id, i) => [id, decodeChart(data[`c${i}`])]));
  }

  /** The residence links between the cells below an organisation. */
  async residenceLinks(rootId) {
    return decodeLinks((await this.#request(linksQuery, { rootId })).orgChart.linkColumns);
  }

  async search(text) {
    return (await this.#request(searchQuery, { text })).search;
  }
}

const tokenKey = 'dangbo.chart.token';

function decodeChart({ columns: c, linkColumns }) {
  const nodes = c.ids.map((id, i) => ({
    id,
    parentId: c.parentIds[i],
    name: c.names[i],
    kind: c.kinds[i],
    sector: c.sectors[i],
    depth: c.depths[i],
    childCount: c.childCounts[i],
    memberCount: c.memberCounts[i],
    officialCount: c.officialCounts[i],
    probationaryCount: c.probationaryCounts[i],
  }));
  return { nodes, links: decodeLinks(linkColumns) };
}

function decodeLinks(l) {
  return l.from.map((from, i) => ({ from, to: l.to[i], memberCount: l.memberCounts[i] }));
}
