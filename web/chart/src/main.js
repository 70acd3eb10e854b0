// The org chart viewer. The Go handler writes the page's settings into a
// JSON block of the HTML (see internal/chartview), so this bundle is the same
// for every server and needs no inline script.
import { Api } from './api.js';
import { ChartView } from './chart.js';
import { kindLabels } from './labels.js';
import { LiveChanges } from './live.js';
import { ScenarioMode } from './scenario.js';
import './page.css';

const settings = JSON.parse(document.getElementById('page-settings').textContent);

const page = document.getElementById('page');
page.innerHTML = `
<header class="toolbar">
  <h1>Sơ đồ tổ chức đảng</h1>
  <label>Đảng bộ <select id="root-picker" disabled></select></label>
  <label>Tính đến ngày <input type="date" id="as-of"></label>
  <label>Phương án <select id="scenario-picker"><option value="">Không (hiện trạng)</option></select></label>
  <form id="search-form" role="search" autocomplete="off">
    <input type="search" id="search-text" placeholder="Tìm tổ chức, đảng viên (gõ không dấu được)" aria-label="Tìm kiếm">
    <button type="submit">Tìm</button>
    <ol id="search-results" hidden></ol>
  </form>
  <label class="check"><input type="checkbox" id="show-links" checked> Liên kết nơi cư trú</label>
  <button type="button" id="fit">Toàn cảnh</button>
  <button type="button" id="export-png">Xuất PNG</button>
  <button type="button" id="export-svg">Xuất SVG</button>
  <form id="token-form" autocomplete="off">
    <label>Mã truy cập <input type="password" id="token" placeholder="token (JWT)" autocomplete="off"></label>
  </form>
</header>
<div id="message" role="status" hidden></div>
<div id="workspace">
  <div id="chart" data-view=""></div>
  <aside id="scenario-panel" aria-label="Phương án" hidden></aside>
</div>`;

const $ = (id) => document.getElementById(id);
const rootPicker = $('root-picker');
const asOf = $('as-of');
const searchForm = $('search-form');
const searchText = $('search-text');
const results = $('search-results');
const message = $('message');
const tokenField = $('token');
const scenarioPicker = $('scenario-picker');

const api = new Api(settings.endpoint, sessionStorage);
tokenField.value = api.token;
const view = new ChartView($('chart'), api, showError);
// The chart follows the changes of the province it shows, and redraws.
const live = new LiveChanges(settings.endpoint, () => api.token, () => attempt(() => view.refresh()));
const scenarioMode = new ScenarioMode({ api, view, panel: $('scenario-panel'), onError: showError });

function showMessage(text, kind) {
  message.textContent = text;
  message.className = kind;
  message.hidden = !text;
}

function showError(err) {
  if (err.unauthenticated) {
    showMessage(`Máy chủ yêu cầu mã truy cập: hãy dán token vào ô «Mã truy cập». (${err.message})`, 'error');
    tokenField.focus();
  } else {
    showMessage(err.message, 'error');
  }
}

// Runs an action of the user's, showing its failure.
async function attempt(action) {
  try {
    await action();
  } catch (err) {
    showError(err);
  }
}

// The province or scenario shown, kept in the address (?root=… or
// ?scenario=…) so that a link opens it.
function inAddress(name) {
  return new URLSearchParams(window.location.search).get(name) || '';
}

function remember(name, value) {
  const url = new URL(window.location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  window.history.replaceState(null, '', url);
}

function rememberRoot(id) {
  if (!scenarioMode.active) remember('root', id);
}

function showRoot(id) {
  rememberRoot(id);
  live.follow(id);
  return view.showRoot(id);
}

// The open scenarios, offered in the picker; the one in the address is entered.
async function loadScenarios() {
  const scenarios = await api.scenarios();
  const wanted = scenarioPicker.value || inAddress('scenario');
  scenarioPicker.replaceChildren(
    new Option('Không (hiện trạng)', ''),
    ...scenarios.map((s) => Object.assign(new Option(s.name, s.id), { scenario: s })),
  );
  const chosen = scenarios.find((s) => s.id === wanted);
  if (chosen) {
    scenarioPicker.value = chosen.id;
    await enterScenario(chosen);
  } else if (scenarioMode.active) {
    await leaveScenario();
  }
  return Boolean(chosen);
}

async function enterScenario(scenario) {
  closeResults();
  // Comparing a large scenario takes the server a few seconds.
  showMessage(`Đang so sánh phương án «${scenario.name}» với hiện trạng…`, 'info');
  await scenarioMode.enter(scenario);
  showMessage('', '');
  remember('scenario', scenario.id);
  asOf.disabled = true;
  rootPicker.replaceChildren(new Option(scenario.within.name, scenario.within.id));
  rootPicker.disabled = true;
}

async function leaveScenario() {
  closeResults();
  scenarioMode.leave(asOf.value || null);
  remember('scenario', '');
  asOf.disabled = false;
  rootPicker.value = '';
  await loadStructure();
}

scenarioPicker.addEventListener('change', () =>
  attempt(() => {
    const option = scenarioPicker.selectedOptions[0];
    return option?.scenario ? enterScenario(option.scenario) : leaveScenario();
  }),
);

// The provinces, and the scenarios once the token allows reading them.
async function start() {
  if (!(await loadScenarios())) await loadStructure();
}

async function loadStructure() {
  showMessage('', '');
  const roots = await api.roots();
  const previous = rootPicker.value || inAddress('root');
  rootPicker.replaceChildren(...roots.map((r) => new Option(r.name, r.id)));
  rootPicker.disabled = roots.length === 0;
  if (roots.length === 0) {
    live.stop();
    view.clear();
    showMessage('Chưa có đảng bộ nào vào ngày này.', 'info');
    return;
  }
  if (roots.some((r) => r.id === previous)) rootPicker.value = previous;
  await showRoot(rootPicker.value);
}

rootPicker.addEventListener('change', () => attempt(() => showRoot(rootPicker.value)));

asOf.addEventListener('change', () => {
  api.asOf = asOf.value || null;
  closeResults();
  attempt(loadStructure);
});

// The token applies when the field is left or Enter pressed in it.
$('token-form').addEventListener('submit', (e) => e.preventDefault());
tokenField.addEventListener('change', () => {
  api.token = tokenField.value.trim();
  attempt(start);
});

$('show-links').addEventListener('change', (e) => {
  view.linksShown = e.target.checked;
});
$('fit').addEventListener('click', () => view.fit());
$('export-png').addEventListener('click', () => view.exportPng());
$('export-svg').addEventListener('click', () => view.exportSvg());

// Search: as the user types (after a pause) and on Enter; only the answer to
// the latest text is shown.
let searchSeq = 0;
let searchTimer;

async function search() {
  clearTimeout(searchTimer);
  const text = searchText.value.trim();
  const seq = ++searchSeq;
  if (text === '') {
    closeResults();
    return;
  }
  const hits = await api.search(text);
  if (seq !== searchSeq) return;
  showResults(scenarioMode.active ? scenarioMode.scopeHits(hits) : hits);
}

searchText.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => attempt(search), 300);
});
searchForm.addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(search);
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeResults();
});
document.addEventListener('click', (e) => {
  if (!searchForm.contains(e.target)) closeResults();
});

function closeResults() {
  results.hidden = true;
  results.replaceChildren();
}

function showResults(hits) {
  if (hits.length === 0) {
    const none = document.createElement('li');
    none.className = 'none';
    none.textContent = 'Không tìm thấy.';
    results.replaceChildren(none);
  } else {
    results.replaceChildren(...hits.map(resultItem));
  }
  results.hidden = false;
}

function resultItem(hit) {
  const { node } = hit;
  const member = node.__typename === 'Member';
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.hitId = node.id;
  const title = document.createElement('span');
  title.className = 'hit-name';
  title.textContent = member ? node.fullName : node.name;
  const detail = document.createElement('span');
  detail.className = 'hit-detail';
  detail.textContent = member ? `Đảng viên · ${node.cell.name}` : (kindLabels[node.kind] ?? node.kind);
  const path = document.createElement('span');
  path.className = 'hit-path';
  path.textContent = hit.path
    .slice(0, -1)
    .map((o) => o.name)
    .join(' › ');
  button.append(title, detail, path);
  button.addEventListener('click', () => choose(hit));
  const item = document.createElement('li');
  item.append(button);
  return item;
}

async function choose(hit) {
  closeResults();
  rootPicker.value = hit.path[0].id;
  rememberRoot(rootPicker.value);
  const { node } = hit;
  if (node.__typename === 'Member') {
    showMessage(`Đảng viên ${node.fullName} sinh hoạt tại ${node.cell.name}.`, 'info');
  } else {
    showMessage('', '');
  }
  await attempt(() => view.reveal(hit));
}

attempt(start);
