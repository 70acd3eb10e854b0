// How a scenario changes an organisation, as the cards of its chart show it:
// one badge per change that the side shown can see, and the change in the
// subtree's members.
import { escapeHtml, formatCount, kindLabels } from './labels.js';

/** The height a card gains for its line of changes. */
export const markHeight = 24;

// ENDED shows only before, NEW only after: the other side has no such node.
const badges = {
  NEW: { label: 'Thành lập mới', colour: '#1b7f3b', sides: ['after'] },
  ENDED: { label: 'Kết thúc', colour: '#8a1020', sides: ['before'] },
  MOVED: { label: 'Chuyển', colour: '#1565c0', sides: ['before', 'after'] },
  RENAMED: { label: 'Đổi tên', colour: '#a66b00', sides: ['before', 'after'] },
  KIND_CHANGED: { label: 'Đổi loại hình', colour: '#6a1b9a', sides: ['before', 'after'] },
};

/** The structural changes (all but MEMBERS_CHANGED), for legends and tests. */
export const changeKinds = Object.keys(badges);

/** The Vietnamese name of a change. */
export const changeLabel = (change) => badges[change]?.label ?? change;

/**
 * The marks of a side from a scenarioDiff: id → { changes, memberDelta,
 * other } where other is the organisation on the other side (its name and
 * kind), for a card to say what it was or will be.
 */
export function marksFor(diff, side) {
  const marks = new Map();
  for (const n of diff.nodes) {
    const changes = n.changes.filter((c) => badges[c]?.sides.includes(side));
    if (changes.length === 0 && n.memberDelta === 0) continue;
    marks.set(n.id, { changes, memberDelta: n.memberDelta, other: side === 'after' ? n.before : n.after });
  }
  return marks;
}

/** Whether a mark changes the structure, not the members alone. */
export const structural = (mark) => mark.changes.length > 0;

const pill = (colour) =>
  `font-size:11px;font-weight:700;color:#ffffff;background:${colour};border-radius:8px;padding:1px 6px;white-space:nowrap`;

/** The line of a card that shows its mark; empty for none. */
export function markHtml(mark) {
  if (!mark) return '';
  const parts = mark.changes.map((c) => {
    let title = badges[c].label;
    if (c === 'RENAMED' && mark.other) title = `Tên bên kia: ${mark.other.name}`;
    if (c === 'KIND_CHANGED' && mark.other) title = `Loại hình bên kia: ${kindLabels[mark.other.kind] ?? mark.other.kind}`;
    return `<span class="org-change" data-change="${c}" title="${escapeHtml(title)}" style="${pill(badges[c].colour)}">${badges[c].label}</span>`;
  });
  if (mark.memberDelta !== 0) {
    const sign = mark.memberDelta > 0 ? '+' : '−';
    const colour = mark.memberDelta > 0 ? '#1b7f3b' : '#8a1020';
    parts.push(
      `<span class="org-delta" title="Đảng viên của tổ chức và các tổ chức trực thuộc: sau trừ trước" style="font-size:12px;font-weight:700;color:${colour};white-space:nowrap">${sign}${formatCount(Math.abs(mark.memberDelta))} đảng viên</span>`,
    );
  }
  return `<div class="org-marks" style="display:flex;gap:4px;align-items:center;overflow:hidden;height:${markHeight - 6}px">${parts.join('')}</div>`;
}
