// Properties of the viewer's grouping of wide levels (groups.js) and of the
// scenario marks (marks.js), on generated trees: `node --test web/chart/test/`.
// The seed is fixed unless DANGBO_TEST_SEED gives one ("random" for a new one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Groups, groupThreshold, pageSize } from '../src/groups.js';
import { marksFor } from '../src/marks.js';
import { generator, seed } from '../../testseed.mjs';

const kinds = ['DISTRICT', 'GRASSROOTS_COMMITTEE', 'GRASSROOTS_CELL', 'CELL'];
const sectors = ['COMMUNE', 'WARD', 'AGENCY', 'SCHOOL', 'OTHER'];

// A tree as the viewer loads it: parents before children, some levels wide.
function tree(random) {
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const data = [{ id: 'o0', parentId: null, name: 'Tỉnh', kind: 'PROVINCE', sector: 'OTHER', memberCount: 0 }];
  for (let i = 0; i < data.length && data.length < 2000; i++) {
    const wide = random() < 0.3;
    const n = wide ? groupThreshold - 5 + Math.floor(random() * 400) : Math.floor(random() * 8);
    for (let j = 0; j < n; j++) {
      data.push({
        id: `o${data.length}`,
        parentId: data[i].id,
        name: `Tổ chức ${data.length}`,
        kind: pick(kinds),
        sector: pick(sectors),
        memberCount: Math.floor(random() * 300),
      });
    }
  }
  return data;
}

test('groups: every organisation hangs under its parent, directly or through one group (and a page)', () => {
  const random = generator(seed);
  for (let round = 0; round < 30; round++) {
    const data = tree(random);
    const groups = new Groups();
    const drawn = groups.arrange(data);
    const byId = new Map([...data, ...drawn].map((d) => [d.id, d]));
    const childCount = new Map();
    for (const d of data) if (d.parentId) childCount.set(d.parentId, (childCount.get(d.parentId) ?? 0) + 1);
    const direct = new Map();
    for (const d of [...data, ...drawn]) {
      if (d.drawParentId != null) direct.set(d.drawParentId, (direct.get(d.drawParentId) ?? 0) + 1);
    }
    for (const d of data) {
      if (d.parentId == null) continue;
      const grouped = childCount.get(d.parentId) > groupThreshold;
      let up = byId.get(d.drawParentId);
      assert.equal(Boolean(up.group), grouped, `${d.id}: grouped iff its parent has more than ${groupThreshold} children`);
      if (!grouped) {
        assert.equal(d.drawParentId, d.parentId);
        continue;
      }
      if (up.page) up = byId.get(up.drawParentId);
      assert.ok(up.group && !up.page, `${d.id} is in a group, perhaps through one page`);
      assert.equal(up.drawParentId, d.parentId, `${d.id}'s group hangs under its parent`);
      assert.ok(up.members.includes(d));
      assert.ok(up.members.every((m) => m.kind === d.kind && m.sector === d.sector), 'a group holds one kind and sector');
      assert.equal(up.memberCount, up.members.reduce((sum, m) => sum + m.memberCount, 0));
    }
    for (const g of drawn) {
      assert.ok(direct.get(g.id) <= pageSize, `${g.id} holds at most ${pageSize} directly`);
      assert.equal(g._expanded, !g.page, 'a group is shown, its pages not until it opens');
    }
    // New groups start closed; what the user opens stays open.
    for (const d of data) if (byId.get(d.drawParentId)?.group) assert.equal(d._expanded, false);
    groups.settle();
    const opened = drawn.find((g) => !g.page);
    if (!opened) continue;
    const inside = data.filter((d) => d.drawParentId === opened.id);
    for (const d of inside) d._expanded = true;
    const again = groups.arrange(data);
    assert.ok(again.includes(opened), 'a group keeps its datum across renders');
    for (const d of inside) assert.equal(d._expanded, true);
  }
});

test('marks: ended organisations only as they are, new ones only as they would be', () => {
  const random = generator(seed + 1);
  const changes = ['NEW', 'ENDED', 'MOVED', 'RENAMED', 'KIND_CHANGED', 'MEMBERS_CHANGED'];
  const nodes = Array.from({ length: 500 }, (_, i) => {
    const picked = changes.filter(() => random() < 0.3);
    return { id: `o${i}`, changes: picked, memberDelta: picked.includes('MEMBERS_CHANGED') ? Math.floor(random() * 200) - 100 : 0 };
  });
  const diff = { nodes };
  for (const side of ['before', 'after']) {
    const marks = marksFor(diff, side);
    for (const n of nodes) {
      const mark = marks.get(n.id);
      const shown = n.changes.filter((c) => c !== 'MEMBERS_CHANGED' && c !== (side === 'after' ? 'ENDED' : 'NEW'));
      if (shown.length === 0 && n.memberDelta === 0) {
        assert.equal(mark, undefined);
        continue;
      }
      assert.deepEqual(mark.changes, shown);
      assert.equal(mark.memberDelta, n.memberDelta);
    }
  }
});
