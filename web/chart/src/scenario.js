// Scenario mode: an open scenario (phương án) drawn as it is (live on its base
// date) or as it would be once applied, toggled; the organisations it
// changes marked on their cards, the paths to them opened; beside the chart
// its figures, the findings it adds and a link to its diff as a spreadsheet.
import { escapeHtml, formatCount, kindLabels, sectorLabels } from './labels.js';
import { changeKinds, changeLabel, marksFor, structural } from './marks.js';

// Opening the way to more changed organisations than this would draw most of
// a province at once, unreadable: then only the root's children are shown,
// marked, and the rest is one click away (groups say how many changed).
const maxOpened = 60;

const severityLabels = { ERROR: 'Lỗi', WARNING: 'Cảnh báo', INFO: 'Lưu ý' };

export class ScenarioMode {
  #api;
  #view;
  #panel;
  #onError;
  #diff = null;
  /** The scenario shown ({ id, name, baseAsOf, within }), or null. */
  scenario = null;
  /** 'before' (as it is) or 'after' (as it would be). */
  side = 'after';

  constructor({ api, view, panel, onError }) {
    this.#api = api;
    this.#view = view;
    this.#panel = panel;
    this.#onError = onError;
  }

  get active() {
    return this.scenario !== null;
  }

  /** Shows a scenario, on the side shown last. */
  async enter(scenario) {
    const diff = await this.#api.scenarioDiff(scenario.id);
    this.scenario = scenario;
    this.#diff = diff;
    this.#renderPanel();
    await this.show(this.side);
  }

  /** Leaves scenario mode: reads answer for asOf again. */
  leave(asOf) {
    this.scenario = null;
    this.#diff = null;
    this.#api.scenario = null;
    this.#api.asOf = asOf;
    this.#view.setMarks(null);
    this.#panel.hidden = true;
    this.#panel.replaceChildren();
  }

  /** Draws one side: 'before' (live on the base date) or 'after' (in the scenario). */
  async show(side) {
    const { id, baseAsOf, within } = this.scenario;
    this.side = side;
    for (const input of this.#panel.querySelectorAll('input[name="scenario-side"]')) input.checked = input.value === side;
    this.#api.scenario = side === 'after' ? id : null;
    this.#api.asOf = side === 'after' ? null : baseAsOf;
    const marks = marksFor(this.#diff, side);
    this.#view.setMarks(marks, `phuong-an-${side === 'after' ? 'sau' : 'truoc'}`);
    await this.#view.showRoot(within.id);
    const changed = this.#changed(side, marks);
    const paths = changed.length > maxOpened ? [] : this.#pathsTo(side, changed);
    await this.#view.open(paths, paths.length > 0 ? changed.map((n) => n.id) : []);
  }

  // The diff's organisations that the side shows changed, the highest first.
  #changed(side, marks) {
    const org = (n) => (side === 'after' ? n.after : n.before);
    return this.#diff.nodes
      .filter((n) => {
        const mark = marks.get(n.id);
        return mark && structural(mark);
      })
      .sort((a, b) => org(a).ancestors.length - org(b).ancestors.length);
  }

  // The ids from the scenario's root down to the parent of each organisation
  // changed: reads in a scenario stop at its subtree, so paths start at its
  // root.
  #pathsTo(side, changed) {
    const rootId = this.scenario.within.id;
    const paths = new Map();
    for (const n of changed) {
      const org = side === 'after' ? n.after : n.before;
      const ids = fromRoot(org.ancestors.map((a) => a.id), rootId);
      if (ids && ids.length > 0) paths.set(ids.at(-1), ids);
    }
    return [...paths.values()];
  }

  /** Search hits inside the scenario's subtree, their paths from its root. */
  scopeHits(hits) {
    const rootId = this.scenario.within.id;
    return hits.flatMap((h) => {
      const path = fromRoot(h.path, rootId, (o) => o.id);
      return path ? [{ ...h, path }] : [];
    });
  }

  #renderPanel() {
    const { scenario, figures, nodes, violationsAdded } = this.#diff;
    const counts = new Map(changeKinds.map((c) => [c, 0]));
    for (const n of nodes) for (const c of n.changes) if (counts.has(c)) counts.set(c, counts.get(c) + 1);
    const summary = [...counts]
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `<li data-change="${c}">${escapeHtml(changeLabel(c))}: <b>${formatCount(n)}</b></li>`)
      .join('');
    const changedFigures = figures
      .filter((f) => f.net !== 0)
      .map(
        (f) =>
          `<tr data-figure="${escapeHtml(f.name)}"><td>${escapeHtml(figureLabel(f.name))}</td><td>${number(f.asIs)}</td><td>${number(f.toBe)}</td><td>${signed(f.net)}</td></tr>`,
      )
      .join('');
    const exportUrl = this.#api.exportUrl('export/scenario-diff.xlsx', { scenario: scenario.id });
    this.#panel.innerHTML = `
<h2>${escapeHtml(scenario.name)}</h2>
<p class="scenario-scope">${escapeHtml(scenario.within?.name ?? '')} · ngày ${escapeHtml(scenario.baseAsOf)}</p>
<div class="scenario-sides" role="radiogroup" aria-label="Hiển thị">
  <label><input type="radio" name="scenario-side" value="before"> Hiện trạng</label>
  <label><input type="radio" name="scenario-side" value="after"> Theo phương án</label>
</div>
<ul class="scenario-changes">${summary || '<li>Không thay đổi tổ chức nào.</li>'}</ul>
${changedFigures ? `<table class="scenario-figures"><thead><tr><th></th><th>Hiện trạng</th><th>Phương án</th><th>Chênh lệch</th></tr></thead><tbody>${changedFigures}</tbody></table>` : ''}
<h3>Vi phạm phát sinh (${formatCount(violationsAdded.length)})</h3>
<ol id="scenario-findings">${violationsAdded.length ? '' : '<li class="none">Phương án không phát sinh vi phạm nào.</li>'}</ol>
<p><a id="scenario-export" href="${escapeHtml(exportUrl.href)}" download="so-sanh-phuong-an.xlsx">Tải bảng so sánh (Excel)</a></p>`;
    this.#panel.querySelector('#scenario-findings').append(...violationsAdded.map((v) => this.#finding(v)));
    for (const input of this.#panel.querySelectorAll('input[name="scenario-side"]')) {
      input.addEventListener('change', () => this.#attempt(() => this.show(input.value)));
    }
    this.#panel.querySelector('#scenario-export').addEventListener('click', (e) => {
      e.preventDefault();
      this.#attempt(() => this.#download(exportUrl));
    });
    this.#panel.hidden = false;
  }

  // A finding, which brings its organisation into view in the scenario.
  #finding(v) {
    const item = document.createElement('li');
    item.dataset.severity = v.severity;
    item.dataset.rule = v.rule;
    const label = `${severityLabels[v.severity] ?? v.severity} · ${v.rule}`;
    const path = v.subject && fromRoot([...v.subject.ancestors, v.subject], this.scenario.within.id, (o) => o.id);
    const body = document.createElement(path ? 'button' : 'span');
    body.className = 'finding';
    body.innerHTML = `<span class="finding-rule">${escapeHtml(label)}</span> ${escapeHtml(v.message)}`;
    if (path) {
      body.type = 'button';
      body.title = 'Xem trên sơ đồ';
      body.addEventListener('click', () =>
        this.#attempt(async () => {
          if (this.side !== 'after') await this.show('after');
          await this.#view.reveal({ path, node: { __typename: 'Org', id: v.subject.id } });
        }),
      );
    }
    item.append(body);
    return item;
  }

  async #download(url) {
    const blob = await this.#api.download(url);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'so-sanh-phuong-an.xlsx';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  async #attempt(action) {
    try {
      await action();
    } catch (err) {
      this.#onError(err);
    }
  }
}

// The part of a path from the root on; null when the root is not on it.
function fromRoot(path, rootId, id = (x) => x) {
  const i = path.findIndex((o) => id(o) === rootId);
  return i < 0 ? null : path.slice(i);
}

const number = (x) => (Number.isInteger(x) ? formatCount(x) : x.toFixed(2).replace('.', ','));
const signed = (x) => (x > 0 ? '+' : x < 0 ? '−' : '') + number(Math.abs(x));

// The names of scenarioDiff's figures, in Vietnamese.
function figureLabel(name) {
  const [head, tail] = name.split('.');
  switch (head) {
    case 'organisations':
      return 'Tổ chức đảng';
    case 'members':
      return 'Đảng viên';
    case 'official':
      return 'Đảng viên chính thức';
    case 'probationary':
      return 'Đảng viên dự bị';
    case 'cellsBelowThreeOfficial':
      return 'Chi bộ dưới 3 đảng viên chính thức';
    case 'levels':
      return 'Số cấp';
    case 'kind':
      return kindLabels[tail] ?? tail;
    case 'cellsBySector':
      return `Chi bộ · ${sectorLabels[tail] ?? tail}`;
    case 'childrenPerCommittee':
      return `Tổ chức trực thuộc mỗi đảng bộ (${tail === 'mean' ? 'trung bình' : tail === 'max' ? 'nhiều nhất' : tail})`;
    default:
      return name;
  }
}
