// The org chart: d3-org-chart drawing what has been loaded of one province,
// loading the children of an organisation when it is expanded, revealing
// search hits, and drawing residence links between the cells it shows.
import { select } from 'd3';
import { OrgChart } from 'd3-org-chart';
import { buttonHtml, cardHeight, cardHtml, cardWidth, font, highlightColour } from './card.js';
import { Groups, groupCardHtml } from './groups.js';
import { formatCount } from './labels.js';
import { markHeight } from './marks.js';

const holdsMembers = (kind) => kind === 'CELL' || kind === 'GRASSROOTS_CELL';
const linkColour = '#2f6fdf';
const duration = 400;

export class ChartView {
  #container;
  #api;
  #onError;
  #chart;
  #rootId = null;
  // Each reset starts a generation; answers to an older one are dropped.
  #generation = 0;
  #data = []; // the data d3-org-chart draws, parents before children
  #nodes = new Map(); // id → datum
  #loaded = new Set(); // ids whose children are in #nodes
  #pending = new Map(); // id → the request loading its children
  #links = new Map(); // "from to" → link
  #linkScopes = new Set(); // ids whose subtree's links are in #links
  #linksShown = true;
  #target = null; // { id, memberName } of the search hit shown
  #groups = new Groups();
  #marks = null; // id → how the scenario shown changes it (marks.js), or null

  constructor(container, api, onError) {
    this.#container = container;
    this.#api = api;
    this.#onError = onError;
    const view = this;
    this.#chart = new OrgChart()
      .container(container)
      .svgWidth(container.clientWidth)
      .svgHeight(container.clientHeight)
      .duration(duration)
      .defaultFont(font)
      .imageName('so-do-to-chuc')
      .nodeId((d) => d.id)
      // Under its group when its parent's children are grouped (groups.js).
      .parentNodeId((d) => d.drawParentId)
      .nodeWidth(() => cardWidth)
      .nodeHeight(() => cardHeight + (this.#marks ? markHeight : 0))
      .childrenMargin(() => 50)
      .siblingsMargin(() => 16)
      .compactMarginPair(() => 60)
      .compactMarginBetween(() => 30)
      .nodeButtonWidth(() => 72)
      .nodeButtonHeight(() => 20)
      .nodeButtonX(() => -36)
      .nodeButtonY(() => 3)
      .nodeContent((d) =>
        d.data.group
          ? groupCardHtml(d.data, this.#marks)
          : cardHtml(d.data, {
              highlighted: Boolean(d.data._upToTheRootHighlighted),
              target: d.data.id === this.#target?.id,
              memberName: d.data.id === this.#target?.id ? this.#target.memberName : null,
              mark: this.#marks?.get(d.data.id),
            }),
      )
      .buttonContent(({ node }) => buttonHtml(node))
      .nodeUpdate(function (d) {
        view.#decorate(this, d);
      })
      .linkUpdate(function (d) {
        const on = Boolean(d.data._upToTheRootHighlighted);
        select(this)
          .attr('stroke', on ? highlightColour : '#9aa3b2')
          .attr('stroke-width', on ? 3 : 1.5);
        if (on) select(this).raise();
      })
      .defs((_state, connections) => residenceDefs(connections))
      .connectionsUpdate(function (d) {
        const id = markerId(d);
        select(this)
          .attr('stroke', linkColour)
          .attr('stroke-width', 1.5)
          .attr('stroke-dasharray', '6 4')
          .attr('pointer-events', 'none')
          .attr('marker-start', `url(#label-${id})`)
          .attr('marker-end', `url(#arrow-${id})`);
      })
      .onExpandOrCollapse((d) => {
        if (this.#isLazy(d)) this.#expandFromButton(d.data);
      });
    window.addEventListener('resize', () => {
      this.#chart.svgWidth(container.clientWidth).svgHeight(container.clientHeight);
      select(container).select('svg').attr('width', container.clientWidth).attr('height', container.clientHeight);
    });
  }

  /** Draws a province and its children, forgetting everything else. */
  async showRoot(rootId) {
    const generation = ++this.#generation;
    const charts = await this.#api.subtrees([rootId]);
    if (generation !== this.#generation) return;
    const { nodes, links } = charts.get(rootId);
    this.#rootId = rootId;
    this.#data = nodes;
    this.#nodes = new Map(nodes.map((n) => [n.id, n]));
    this.#loaded = new Set([rootId]);
    this.#pending = new Map();
    this.#links = new Map();
    this.#linkScopes = new Set();
    this.#target = null;
    this.#groups.clear();
    this.#settle('');
    this.#addLinks(links);
    // The first picture appears at once; expanding animates. It shows the
    // province's children (or their groups) at a readable size, as many as fit.
    this.#forgetDrawing();
    this.#chart.duration(0);
    const drawn = this.#render();
    this.#bringIntoView(
      drawn.filter((d) => d.drawParentId == null || d.drawParentId === rootId).map((d) => d.id),
      rootId,
      { minScale: 0.7, animate: false },
    );
    this.#chart.duration(duration);
    this.#loadLinks();
  }

  /**
   * Redraws what is shown as it stands now, after a change: the same
   * organisations expanded, with their children reloaded in one request.
   * When one of them is gone (dissolved, moved out of reach), the province
   * is drawn afresh.
   */
  async refresh() {
    if (this.#rootId === null) return;
    const rootId = this.#rootId;
    const expanded = [...this.#loaded];
    const generation = ++this.#generation;
    let charts;
    try {
      charts = await this.#api.subtrees(expanded);
    } catch {
      if (generation === this.#generation) await this.showRoot(rootId);
      return;
    }
    if (generation !== this.#generation) return;
    const old = this.#nodes;
    this.#data = [];
    this.#nodes = new Map();
    this.#loaded = new Set();
    this.#pending = new Map();
    this.#links = new Map();
    this.#linkScopes = new Set();
    // The root's chart holds the root itself; each expanded organisation
    // still shown brings its children, parents coming before children.
    for (const n of charts.get(rootId).nodes.slice(0, 1)) {
      this.#nodes.set(n.id, n);
      this.#data.push(n);
    }
    for (const id of expanded) {
      if (this.#nodes.has(id)) this.#add(new Map([[id, charts.get(id)]]));
    }
    for (const n of this.#data) n._upToTheRootHighlighted = Boolean(old.get(n.id)?._upToTheRootHighlighted);
    this.#render();
    this.#loadLinks();
  }

  /** Forgets the chart, e.g. when there is no province to show. */
  clear() {
    this.#generation++;
    this.#rootId = null;
    this.#data = [];
    this.#nodes = new Map();
    this.#groups.clear();
    this.#chart.connections([]).data([]).render();
  }

  /**
   * How a scenario changes the organisations (marks.js), shown on their cards
   * from the next showRoot; null for none. imageName names the exported files.
   */
  setMarks(marks, imageName) {
    this.#marks = marks;
    this.#chart.imageName(imageName ?? 'so-do-to-chuc');
  }

  /**
   * Loads and opens the way to organisations: each path lists ids from the
   * root down to an organisation whose children are to be shown. Then brings
   * the organisations of focus into view, the first one in sight when they
   * do not fit at a readable size (data-view "focus"); without focus, fits
   * the whole chart ("all").
   */
  async open(paths, focus = []) {
    const generation = this.#generation;
    const ids = [...new Set(paths.flat())];
    await this.#loadChildren(ids);
    if (generation !== this.#generation) return;
    for (const id of ids) {
      const d = this.#nodes.get(id);
      if (d) d._expanded = true;
    }
    this.#render();
    const shown = this.#bringIntoView(focus, focus[0], {
      minScale: 0.5,
      animate: true,
      onCompleted: () => this.#settle('focus'),
    });
    if (!shown) this.fit();
  }

  // A new tree replaces the drawing without animation: d3-org-chart would
  // move the old nodes out towards their topmost node's parent, which the
  // old root lacks (transform="translate(NaN,NaN)", an error in the console).
  #forgetDrawing() {
    select(this.#container)
      .selectAll('.nodes-wrapper > g.node, .links-wrapper > path.link, .connections-wrapper > path.connection')
      .interrupt()
      .remove();
  }

  /**
   * Loads, expands and highlights the path of a search hit up to the root,
   * and brings the hit into view.
   */
  async reveal(hit) {
    const path = hit.path.map((o) => o.id);
    if (path[0] !== this.#rootId) await this.showRoot(path[0]);
    const generation = this.#generation;
    await this.#loadChildren(path.slice(0, -1));
    if (generation !== this.#generation) return;
    const target = path.at(-1);
    // Highlighted in what is drawn, groups included.
    const drawn = this.#arrange();
    for (const d of drawn) d._upToTheRootHighlighted = false;
    this.#target = { id: target, memberName: hit.node.__typename === 'Member' ? hit.node.fullName : null };
    this.#settle('');
    this.#chart.data(drawn).setUpToTheRootHighlighted(target);
    this.#render(drawn);
    this.#bringIntoView(path, target, {
      minScale: 0.5,
      animate: true,
      onCompleted: () => this.#settle(target),
    });
    this.#loadLinks();
  }

  set linksShown(shown) {
    this.#linksShown = shown;
    if (this.#data.length === 0) return;
    this.#render();
    this.#loadLinks();
  }

  /** Fits everything shown into view. */
  fit() {
    if (this.#data.length === 0) return;
    this.#settle('');
    this.#chart.fit({ onCompleted: () => this.#settle('all') });
  }

  // data-view on the container tells what the view last came to rest on, for
  // tests and scripts: a revealed organisation's id, "all" after fitting,
  // "focus" on the changes of a scenario, "" while moving or after a reset.
  #settle(view) {
    this.#container.dataset.view = view;
  }

  exportPng() {
    this.#chart.exportImg({ full: false, backgroundColor: '#ffffff' });
  }

  exportSvg() {
    this.#chart.exportSvg();
  }

  // d3-org-chart shows the expand button only when it holds a node's children
  // (_directSubordinates > 0); a node whose children are still on the server
  // gets one too, and expanding it loads them.
  #isLazy(d) {
    return !d.data.group && d.data.childCount > 0 && !this.#loaded.has(d.data.id);
  }

  #decorate(element, d) {
    const node = select(element).attr('data-org-id', d.data.id);
    if (this.#isLazy(d)) node.select('.node-button-g').attr('display', null).attr('opacity', 1);
    // The card draws its own border, highlighted or not.
    node.select('.node-rect').attr('stroke', 'none');
  }

  async #expandFromButton(datum) {
    const generation = this.#generation;
    try {
      await this.#loadChildren([datum.id]);
    } catch (err) {
      this.#onError(err);
      return;
    }
    if (generation !== this.#generation) return;
    datum._centered = true;
    datum._centeredWithDescendants = true;
    this.#render();
    this.#loadLinks();
  }

  // Loads the children of those of ids not loaded yet, in one request.
  async #loadChildren(ids) {
    const wanted = ids.filter((id) => !this.#loaded.has(id));
    const missing = wanted.filter((id) => !this.#pending.has(id));
    if (missing.length > 0) {
      const generation = this.#generation;
      const pending = this.#pending;
      const request = this.#api
        .subtrees(missing)
        .then((charts) => {
          if (generation === this.#generation) this.#add(charts);
        })
        .finally(() => missing.forEach((id) => pending.delete(id)));
      missing.forEach((id) => pending.set(id, request));
    }
    await Promise.all(wanted.map((id) => this.#pending.get(id)));
  }

  #add(charts) {
    for (const [id, { nodes, links }] of charts) {
      for (const n of nodes) {
        if (n.depth === 0 || this.#nodes.has(n.id)) continue;
        // Expanded, so that d3-org-chart opens its parent.
        n._expanded = true;
        this.#nodes.set(n.id, n);
        this.#data.push(n);
      }
      this.#loaded.add(id);
      this.#addLinks(links);
    }
  }

  #addLinks(links) {
    for (const l of links) this.#links.set(`${l.from} ${l.to}`, l);
  }

  // The organisations loaded and the groups they are drawn in.
  #arrange() {
    return [...this.#data, ...this.#groups.arrange(this.#data)];
  }

  #render(drawn = this.#arrange()) {
    const connections = [];
    if (this.#linksShown) {
      for (const l of this.#links.values()) {
        if (this.#nodes.has(l.from) && this.#nodes.has(l.to)) {
          connections.push({ from: l.from, to: l.to, label: formatCount(l.memberCount) });
        }
      }
    }
    this.#chart.connections(connections).data(drawn).render();
    this.#groups.settle();
    return drawn;
  }

  // Residence links may join any two cells of a province, but the API gives
  // those of a subtree. So once two or more cells are loaded, the links of
  // their lowest common ancestor are fetched: a commune's or a district's
  // when the user stays there, the province's only when needed.
  async #loadLinks() {
    if (!this.#linksShown) return;
    const scope = this.#linkScope();
    if (scope === null || this.#ancestry(scope).some((id) => this.#linkScopes.has(id))) return;
    const generation = this.#generation;
    this.#linkScopes.add(scope);
    let links;
    try {
      links = await this.#api.residenceLinks(scope);
    } catch (err) {
      if (generation === this.#generation) {
        this.#linkScopes.delete(scope);
        this.#onError(err);
      }
      return;
    }
    if (generation !== this.#generation) return;
    this.#addLinks(links);
    if (this.#linksShown) this.#render();
  }

  #linkScope() {
    let scope = null;
    let cells = 0;
    for (const n of this.#nodes.values()) {
      if (!holdsMembers(n.kind)) continue;
      cells++;
      scope = scope === null ? n.id : this.#commonAncestor(scope, n.id);
    }
    return cells >= 2 ? scope : null;
  }

  // The organisation and those above it, up to the root.
  #ancestry(id) {
    const ids = [];
    for (let n = this.#nodes.get(id); n; n = this.#nodes.get(n.parentId)) ids.push(n.id);
    return ids;
  }

  #commonAncestor(a, b) {
    const above = new Set(this.#ancestry(a));
    return this.#ancestry(b).find((id) => above.has(id));
  }

  // Fits the nodes into view, at natural size at most (a short path would
  // otherwise fill the screen) and at minScale at least; when they do not fit,
  // the view keeps the anchor node in sight. False when the anchor is not drawn.
  #bringIntoView(ids, anchorId, { minScale, animate, onCompleted }) {
    const { allNodes, svgWidth: w, svgHeight: h } = this.#chart.getChartState();
    const wanted = new Set(ids);
    // Nodes inside a closed group have no place in the layout.
    const shown = allNodes.filter((n) => wanted.has(n.data.id) && Number.isFinite(n.x));
    const anchor = shown.find((n) => n.data.id === anchorId);
    if (!anchor) return false;
    const all = bounds(shown);
    const a = bounds([anchor]);
    // zoomTreeBounds fits a box into 90 % of the view.
    const fitScale = 0.9 / Math.max((all.x1 - all.x0) / w, (all.y1 - all.y0) / h);
    const scale = Math.min(1, Math.max(minScale, fitScale));
    const [width, height] = [(0.9 * w) / scale, (0.9 * h) / scale];
    const start = (lo, hi, size, anchorLo, anchorHi) =>
      Math.min(Math.max((lo + hi) / 2 - size / 2, anchorHi - size), anchorLo);
    const x0 = start(all.x0, all.x1, width, a.x0, a.x1);
    const y0 = start(all.y0, all.y1, height, a.y0, a.y1);
    this.#chart.zoomTreeBounds({ x0, x1: x0 + width, y0, y1: y0 + height, params: { animate, scale: true, onCompleted } });
    return true;
  }
}

// The box around nodes, with a margin. In the top-down layout x is a node's
// centre and y its top edge.
function bounds(nodes) {
  const margin = 30;
  return {
    x0: Math.min(...nodes.map((n) => n.x - n.width / 2)) - margin,
    x1: Math.max(...nodes.map((n) => n.x + n.width / 2)) + margin,
    y0: Math.min(...nodes.map((n) => n.y)) - margin,
    y1: Math.max(...nodes.map((n) => n.y + n.height)) + margin,
  };
}

// Marker ids are built from organisation ids, which are URL-safe already; the
// replacement only guards the url(#…) reference.
function markerId(link) {
  return `${link.from}-${link.to}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

// The arrow and the member count of each residence link, as markers at its
// ends. In user units, so that the stroke width does not scale them.
function residenceDefs(connections) {
  const markers = connections.map((c) => {
    const id = markerId(c);
    const width = 8 + 7 * c.label.length;
    // The label sits along the start of the link, turned to stay upright
    // when the link runs right to left.
    const forward = c._source.x < c._target.x;
    const placement = forward ? 'refX="-6" orient="auto"' : `refX="${width + 6}" orient="auto-start-reverse"`;
    return `<marker id="label-${id}" markerUnits="userSpaceOnUse" markerWidth="${width + 20}" markerHeight="20" refY="9" ${placement}>
<rect width="${width}" height="18" rx="9" fill="${linkColour}"></rect>
<text x="${width / 2}" y="13" fill="#ffffff" font-size="12" font-weight="600" text-anchor="middle">${c.label}</text>
</marker>
<marker id="arrow-${id}" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" refX="10" refY="5" orient="auto">
<path d="M0,0 L10,5 L0,10 Z" fill="${linkColour}"></path>
</marker>`;
  });
  return `<defs>${markers.join('')}</defs>`;
}
