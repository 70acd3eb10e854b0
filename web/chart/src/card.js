// The HTML of a node card. Its styles are inline, not in the stylesheet:
// d3-org-chart's PNG and SVG exports serialise the chart's SVG on its own,
// without the page's stylesheet.
import { escapeHtml, formatCount, kindLabels, sectorLabels } from './labels.js';
import { markHtml } from './marks.js';

export const cardWidth = 264;
export const cardHeight = 132;
export const font = 'system-ui, "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif';
export const highlightColour = '#c8102e';

const kindColours = {
  PROVINCE: '#b71c1c',
  DISTRICT: '#d84315',
  GRASSROOTS_COMMITTEE: '#a66b00',
  GRASSROOTS_CELL: '#2e7d32',
  PARTIAL_COMMITTEE: '#6a1b9a',
  CELL: '#1565c0',
};

// An inline style from an object; the font's quotes become single ones so
// that the style fits in a double-quoted attribute.
const css = (rules) =>
  Object.entries(rules)
    .map(([k, v]) => `${k}:${String(v).replaceAll('"', "'")}`)
    .join(';');

const oneLine = { 'white-space': 'nowrap', overflow: 'hidden', 'text-overflow': 'ellipsis' };

const styles = {
  card: {
    'box-sizing': 'border-box',
    width: '100%',
    height: '100%',
    padding: '7px 10px 7px 12px',
    display: 'flex',
    'flex-direction': 'column',
    gap: '3px',
    overflow: 'hidden',
    'font-family': font,
    color: '#1f2430',
    'border-radius': '6px',
  },
  kind: { ...oneLine, 'font-size': '11px', 'font-weight': '600' },
  name: {
    'font-size': '14px',
    'font-weight': '700',
    'line-height': '17px',
    display: '-webkit-box',
    '-webkit-line-clamp': '2',
    '-webkit-box-orient': 'vertical',
    overflow: 'hidden',
  },
  member: { ...oneLine, 'font-size': '12px', 'font-weight': '600', color: highlightColour },
  counts: { display: 'flex', 'align-items': 'center', 'justify-content': 'space-between', gap: '6px', 'margin-top': 'auto' },
  badge: {
    'font-size': '12px',
    'font-weight': '700',
    color: '#ffffff',
    'border-radius': '10px',
    padding: '2px 8px',
    'white-space': 'nowrap',
  },
  children: { 'font-size': '12px', color: '#4a5160', 'white-space': 'nowrap' },
  status: { 'font-size': '11px', color: '#5f6675' },
  button: {
    margin: 'auto',
    padding: '2px 8px',
    'font-size': '12px',
    'font-weight': '600',
    'font-family': font,
    color: '#1f2430',
    background: '#ffffff',
    border: '1px solid #9aa3b2',
    'border-radius': '10px',
    'white-space': 'nowrap',
  },
};

/**
 * @param {object} org  a chart node as the API describes it
 * @param {object} state
 * @param {boolean} state.highlighted  on the path to a search hit
 * @param {boolean} state.target       the search hit itself (for a member: their cell)
 * @param {string|null} state.memberName  the member found in this cell
 * @param {object} [state.mark]  how the scenario shown changes it (marks.js)
 */
export function cardHtml(org, { highlighted, target, memberName, mark }) {
  const colour = kindColours[org.kind] ?? '#555555';
  const card = css({
    ...styles.card,
    background: target ? '#fff1c7' : highlighted ? '#fff5f5' : '#ffffff',
    border: highlighted ? `3px solid ${highlightColour}` : '1px solid #cfd4dc',
    'border-left': `6px solid ${colour}`,
    'box-shadow': target ? '0 0 0 4px rgba(200,16,46,0.25)' : '0 1px 3px rgba(0,0,0,0.12)',
  });
  const kind = [kindLabels[org.kind] ?? org.kind, sectorLabels[org.sector]].filter(Boolean).join(' · ');
  const official = formatCount(org.officialCount);
  const probationary = formatCount(org.probationaryCount);
  const attributes = [
    `data-org-id="${escapeHtml(org.id)}"`,
    `data-kind="${escapeHtml(org.kind)}"`,
    `data-highlighted="${highlighted}"`,
    target ? 'data-target="true"' : '',
    mark ? `data-changes="${mark.changes.join(' ')}" data-member-delta="${mark.memberDelta}"` : '',
  ].join(' ');
  const member = memberName
    ? `<div class="org-member" style="${css(styles.member)}">Đảng viên: ${escapeHtml(memberName)}</div>`
    : '';
  return `<div class="org-card" ${attributes} style="${card}">
<div class="org-kind" style="${css({ ...styles.kind, color: colour })}">${escapeHtml(kind)}</div>
<div class="org-name" title="${escapeHtml(org.name)}" style="${css(styles.name)}">${escapeHtml(org.name)}</div>
${member}
${markHtml(mark)}
<div style="${css(styles.counts)}">
<span class="org-members" title="Chính thức: ${official} · Dự bị: ${probationary}" style="${css({ ...styles.badge, background: colour })}">${formatCount(org.memberCount)} đảng viên</span>
<span class="org-children" style="${css(styles.children)}">Trực thuộc: ${formatCount(org.childCount)}</span>
</div>
<div class="org-status" style="${css(styles.status)}">chính thức ${official} · dự bị ${probationary}</div>
</div>`;
}

/** The expand button below a card: how many sub-organisations it holds. */
export function buttonHtml(node) {
  const sign = node.children ? '−' : '+';
  return `<div class="expand-button" style="${css(styles.button)}">${sign} ${formatCount(node.data.childCount)}</div>`;
}
