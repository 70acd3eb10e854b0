// Groups for organisations with very many sub-organisations, such as a
// province whose district level a scenario abolishes (hundreds of grassroots
// organisations right below it): their children are drawn under one
// expandable group per kind and sector, and a group larger than a page under
// pages of consecutive names, so that the chart stays readable.
import { font } from './card.js';
import { escapeHtml, formatCount, kindLabels, sectorLabels } from './labels.js';
import { changeLabel, structural } from './marks.js';

/** More children than this are grouped: hundreds, as after abolishing a level; a live district of the demo has up to 84. */
export const groupThreshold = 100;
/** A group holds at most this many organisations directly; more go into pages. */
export const pageSize = 24;

/**
 * The groups of the organisations drawn. A group keeps its datum across
 * renders, because d3-org-chart keeps a node's expansion on its datum.
 */
export class Groups {
  #datums = new Map(); // id → group or page datum

  /**
   * Places each datum under its parent or its group (datum.drawParentId) and
   * returns the group and page datums to draw with them. New groups start
   * closed: their children are marked not expanded.
   */
  arrange(data) {
    const children = new Map();
    for (const d of data) {
      d.drawParentId = d.parentId;
      if (d.parentId == null) continue;
      if (!children.has(d.parentId)) children.set(d.parentId, []);
      children.get(d.parentId).push(d);
    }
    const drawn = [];
    for (const [parentId, kids] of children) {
      if (kids.length <= groupThreshold) continue;
      const byKey = new Map();
      for (const d of kids) {
        const key = `${d.kind}/${d.sector}`;
        if (!byKey.has(key)) byKey.set(key, []);
        byKey.get(key).push(d);
      }
      for (const [key, members] of byKey) {
        const group = this.#datum(`${parentId}/${key}`, parentId, members, {
          name: [kindLabels[members[0].kind] ?? members[0].kind, sectorLabels[members[0].sector]]
            .filter(Boolean)
            .join(' · '),
        });
        drawn.push(group);
        if (members.length <= pageSize) {
          this.#place(members, group);
          continue;
        }
        for (let i = 0; i < members.length; i += pageSize) {
          const slice = members.slice(i, i + pageSize);
          const page = this.#datum(`${group.id}/${i / pageSize}`, group.id, slice, {
            name: `${slice[0].name} … ${slice.at(-1).name}`,
            page: true,
          });
          this.#place([page], group);
          this.#place(slice, page);
          drawn.push(page);
        }
      }
    }
    return drawn;
  }

  #datum(id, parentId, members, { name, page = false }) {
    let d = this.#datums.get(id);
    if (!d) {
      d = { id, group: true, page, _expanded: true, _fresh: true };
      this.#datums.set(id, d);
    }
    Object.assign(d, {
      parentId,
      drawParentId: parentId,
      name,
      members,
      childCount: members.length,
      memberCount: members.reduce((sum, m) => sum + m.memberCount, 0),
    });
    return d;
  }

  // Hangs datums under a group; a group drawn for the first time is closed.
  #place(datums, group) {
    for (const d of datums) {
      d.drawParentId = group.id;
      if (group._fresh) d._expanded = false;
    }
  }

  /** Marks the groups drawn as no longer new, once arrange's results are drawn. */
  settle() {
    for (const d of this.#datums.values()) d._fresh = false;
  }

  /** Forgets every group, e.g. when another chart is shown. */
  clear() {
    this.#datums.clear();
  }
}

const styles = {
  card: (page) =>
    [
      'box-sizing:border-box;width:100%;height:100%;padding:8px 12px;display:flex;flex-direction:column;gap:4px',
      `font-family:${font.replaceAll('"', "'")};color:#1f2430;border-radius:6px;overflow:hidden`,
      `background:${page ? '#f7f8fa' : '#eef2fb'};border:1px dashed #7d8797;border-left:6px double #4a5160`,
    ].join(';'),
  title: 'font-size:11px;font-weight:600;color:#4a5160',
  name: 'font-size:14px;font-weight:700;line-height:17px;overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical',
  line: 'font-size:12px;color:#4a5160;white-space:nowrap;overflow:hidden;text-overflow:ellipsis',
  marked: 'font-size:12px;font-weight:700;color:#1565c0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis',
};

/** The card of a group or page; marks tell how many of its organisations a scenario changes. */
export function groupCardHtml(group, marks) {
  const counts = new Map();
  for (const m of group.members) {
    const mark = marks?.get(m.id);
    if (!mark || !structural(mark)) continue;
    for (const c of mark.changes) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const changed = [...counts].map(([c, n]) => `${changeLabel(c)}: ${formatCount(n)}`).join(' · ');
  return `<div class="org-group" data-group-id="${escapeHtml(group.id)}" style="${styles.card(group.page)}">
<div style="${styles.title}">${group.page ? 'Trang' : 'Nhóm'} · ${formatCount(group.members.length)} tổ chức</div>
<div class="group-name" title="${escapeHtml(group.name)}" style="${styles.name}">${escapeHtml(group.name)}</div>
<div style="${styles.line}">${formatCount(group.memberCount)} đảng viên</div>
${changed ? `<div class="group-changes" style="${styles.marked}" title="${escapeHtml(changed)}">${escapeHtml(changed)}</div>` : ''}
</div>`;
}
