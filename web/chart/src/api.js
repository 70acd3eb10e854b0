// The viewer's GraphQL client. Charts come in the compact column form of
// orgChart, several times cheaper for the server than a list of objects.

const chartFields = `
  columns { ids parentIds names kinds sectors depths childCounts memberCounts officialCounts probationaryCounts }
  linkColumns { from to memberCounts }`;

// Every read names the view it answers for: a date, or an open scenario as
// if it were applied (the API refuses both at once).
const rootsQuery = `query Roots($asOf: Date, $scenario: ID) { roots(asOf: $asOf, scenario: $scenario) { id name } }`;

// Residence links join cells anywhere in a district or beyond, so they are
// asked for a whole subtree: a chart of its cells only, of which only the
// links are read.
const linksQuery = `query ResidenceLinks($rootId: ID!, $asOf: Date, $scenario: ID) {
  orgChart(rootId: $rootId, kinds: [CELL, GRASSROOTS_CELL], asOf: $asOf, scenario: $scenario) { linkColumns { from to memberCounts } }
}`;

const searchQuery = `query Search($text: String!, $asOf: Date, $scenario: ID) {
  search(text: $text, first: 10, asOf: $asOf, scenario: $scenario) {
    edges {
      score
      path { id name }
      node {
        __typename
        ... on Org { id name kind }
        ... on Member { id fullName cell { id name } }
      }
    }
  }
}`;

// One request for the children of any number of organisations, each chart
// under its own alias, so that opening a search hit's path is one round trip.
function subtreesQuery(count) {
  const params = Array.from({ length: count }, (_, i) => `$r${i}: ID!`).join(', ');
  const charts = Array.from(
    { length: count },
    (_, i) => `c${i}: orgChart(rootId: $r${i}, depth: 1, asOf: $asOf, scenario: $scenario) { ${chartFields} }`,
  );
  return `query Subtrees($asOf: Date, $scenario: ID, ${params}) {\n${charts.join('\n')}\n}`;
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
  /** The date every read answers for (YYYY-MM-DD); null for today. */
  asOf = null;
  /** The open scenario every read answers in, as if it were applied; null for the live structure. */
  scenario = null;

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

  // A read of the structure, in the view chosen (asOf or scenario).
  #read(query, variables) {
    return this.#request(query, { ...variables, asOf: this.asOf, scenario: this.scenario });
  }

  #headers(more) {
    const token = this.token;
    return token ? { ...more, Authorization: `Bearer ${token}` } : more;
  }

  /** The address of a file the server exports, next to the GraphQL endpoint: export/scenario-diff.xlsx?… */
  exportUrl(path, params) {
    const url = new URL(path, new URL(this.#endpoint, window.location.href));
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  /** Fetches an export with the token; rejects with an ApiError saying why not. */
  async download(url) {
    let response;
    try {
      response = await fetch(url, { headers: this.#headers({}) });
    } catch (err) {
      throw new ApiError([`Không kết nối được máy chủ: ${err.message}`]);
    }
    if (response.status === 404) throw new ApiError(['Máy chủ này chưa có bản xuất này (404).']);
    if (response.status === 401) throw new ApiError(['Cần mã truy cập để tải bản xuất.'], ['UNAUTHENTICATED']);
    if (!response.ok) {
      const text = (await response.text()).trim();
      throw new ApiError([`Không tải được bản xuất: ${response.status} ${text}`]);
    }
    return response.blob();
  }

  async #request(query, variables) {
    const headers = this.#headers({ 'Content-Type': 'application/json', Accept: 'application/json' });
    let response;
    try {
      response = await fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
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
    return (await this.#read(rootsQuery, {})).roots;
  }

  /** The children of each organisation: id → { nodes, links }, nodes[0] being the organisation itself. */
  async subtrees(ids) {
    const variables = Object.fromEntries(ids.map((id, i) => [`r${i}`, id]));
    const data = await this.#read(subtreesQuery(ids.length), variables);
    return new Map(ids.map((id, i) => [id, decodeChart(data[`c${i}`])]));
  }

  /** The residence links between the cells below an organisation. */
  async residenceLinks(rootId) {
    return decodeLinks((await this.#read(linksQuery, { rootId })).orgChart.linkColumns);
  }

  async search(text) {
    return (await this.#read(searchQuery, { text })).search.edges;
  }

  /** The open scenarios the caller sees, newest first. */
  async scenarios() {
    return (await this.#request(scenariosQuery, {})).scenarios;
  }

  /** How an open scenario's subtree differs once it is applied (see scenarioDiff). */
  async scenarioDiff(id) {
    return (await this.#request(scenarioDiffQuery, { id })).scenarioDiff;
  }
}

const tokenKey = 'dangbo.chart.token';

const scenariosQuery = `query Scenarios {
  scenarios(status: OPEN) { id name baseAsOf within { id name ancestors { id } } }
}`;

// Ancestors place each changed organisation in the chart of either side, so
// that the viewer can open the way to it.
const scenarioDiffQuery = `query ScenarioDiff($id: ID!) {
  scenarioDiff(id: $id) {
    scenario { id name baseAsOf within { id name } }
    figures { name asIs toBe net }
    nodes {
      id changes memberDelta
      before { name kind ancestors { id } }
      after { name kind ancestors { id } }
    }
    violationsAdded { rule severity message subjectId subject { id name ancestors { id name } } }
  }
}`;

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
