package neo4j

import (
	"context"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// writes are what one commit.cypher statement writes: an Update's all at
// once, an import's one batch of one kind at a time. The zero value writes
// nothing but moves the revision when revised is set.
type writes struct {
	orgNodes []*org.OrgRecord // the organisations' properties
	orgFacts []*org.OrgRecord // their versions and PART_OF, replaced
	members  []*org.MemberRecord
	changes  []map[string]any // rows of changeRow
	rescoped []any            // rows {seq, scope}: changes recorded before, their scopes rewritten
	counts   []any            // rows {id, counts}: the open-ended state's
	// rows {id, since, counts}: how counts change on a date, added to those
	// of the organisation on that date
	countChanges []any
	audit        []org.AuditEntry
	changeSeq    int64  // the history's counter is raised to it, when not zero
	revised      bool   // whether the revision moves (org.Store.Revision)
	commit       string // the Update's key, recorded when not empty
}

// run writes w in the transaction of q and checks that every fact and scope
// found the organisation it points to.
func (w writes) run(ctx context.Context, q querier) error {
	orgIDs, memberIDs := make([]string, len(w.orgFacts)), make([]string, len(w.members))
	orgRows, memberRows := make([]any, len(w.orgNodes)), make([]any, len(w.members))
	versions, parts, stints, residences, roles := []any{}, []any{}, []any{}, []any{}, []any{}
	for i, r := range w.orgNodes {
		orgRows[i] = orgRow(r)
	}
	for i, r := range w.orgFacts {
		orgIDs[i] = r.ID
		vs, ps := orgFactRows(r)
		versions, parts = append(versions, vs...), append(parts, ps...)
	}
	for i, r := range w.members {
		memberIDs[i], memberRows[i] = r.ID, memberRow(r)
		s, res, rl := memberFactRows(r)
		stints, residences, roles = append(stints, s...), append(residences, res...), append(roles, rl...)
	}
	changes, links, relinks := make([]any, len(w.changes)), 0, 0
	for i, r := range w.changes {
		changes[i] = r
		if scope, ok := r["scope"].([]string); ok {
			links += len(scope)
		}
	}
	for _, r := range w.rescoped {
		if scope, ok := r.(map[string]any)["scope"].([]string); ok {
			relinks += len(scope)
		}
	}
	params := map[string]any{
		"key": metaKey, "orgs": orgRows, "orgFacts": orgIDs, "versions": versions, "parts": parts,
		"members": memberRows, "memberFacts": memberIDs, "stints": stints, "residences": residences, "roles": roles,
		"changes": changes, "rescoped": orEmpty(w.rescoped), "counts": orEmpty(w.counts), "countChanges": orEmpty(w.countChanges), "audit": auditRows(w.audit),
		"changeSeq": nil, "revised": w.revised, "commit": nil, "at": time.Now().UTC(),
	}
	if w.changeSeq != 0 {
		params["changeSeq"] = w.changeSeq
	}
	if w.commit != "" {
		params["commit"] = w.commit
	}
	recs, err := run(ctx, q, "commit", params)
	if err != nil {
		return err
	}
	return checkCreated(one(recs), map[string]int{
		"versions": len(versions), "parts": len(parts),
		"stints": len(stints), "residences": len(residences), "roles": len(roles),
		"changes": len(changes), "links": links, "rescoped": len(w.rescoped), "relinks": relinks,
	})
}

// orEmpty is l, or an empty list for nil: a statement's UNWIND takes no null.
func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// auditRows are entries as commit.cypher takes them.
func auditRows(entries []org.AuditEntry) []any {
	rows := make([]any, len(entries))
	for i, e := range entries {
		roles := make([]string, len(e.Roles))
		for j, r := range e.Roles {
			roles[j] = r.String()
		}
		rows[i] = map[string]any{
			"at": e.At.UTC(), "subject": e.Subject, "roles": roles, "address": optionalString(e.Address),
			"action": e.Action, "target": optionalString(e.Target), "outcome": optionalString(e.Outcome),
		}
	}
	return rows
}

// appendCountRows appends to counts and changes the rows of commit.cypher for
// an organisation's open-ended counts and their dated changes, by date.
func appendCountRows(counts, changes []any, id string, open org.Counts, dated []tree.DatedCounts) ([]any, []any) {
	for _, c := range dated {
		changes = append(changes, map[string]any{"id": id, "since": dateParam(c.On), "counts": encodeCounts(c.Counts)})
	}
	row := map[string]any{"id": id, "counts": encodeCounts(open), "changedTo": nil}
	if len(dated) > 0 {
		row["changedTo"] = dateParam(dated[len(dated)-1].On)
	}
	return append(counts, row), changes
}
