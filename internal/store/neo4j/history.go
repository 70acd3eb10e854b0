package neo4j

import (
	"context"
	"slices"

	"dangbo/internal/org"
)

// The history is a Change node per applied operation (see model.go), numbered
// by a counter on the Meta node and linked WITHIN every organisation of its
// scope. A transaction takes a change's number when the change is recorded,
// so that the caller sees it at once, and writes the change at its commit,
// after its records: the organisations a scope names may be among them.

// The effective dates the history statements take for a query without
// bounds: every date a change holds lies in [firstDate, pastForever).
const (
	firstDate   org.Date = 1               // 0001-01-01, the earliest date org.ParseDate reads
	pastForever          = org.Forever + 1 // the day after 9999-12-31, the latest
)

// stagedChange is a change a transaction recorded, as its commit writes it.
type stagedChange struct {
	row              map[string]any
	issuerID, number string // its decision
	date             org.Date
}

// RecordChange numbers c after the history's counter as meta_lock found it
// (no other writer takes a number while the lock is held, and the lock is
// held until the commit, so that changes commit in the order of their
// numbers), sets c.Seq and keeps the change, as it is now, to be written when
// the transaction commits. The domain records after all its checks, so that
// the lock every writer waits for is held for the commit's tail only.
func (t *updateTx) RecordChange(ctx context.Context, c *org.Change) error {
	if err := t.lockMeta(ctx); err != nil {
		return err
	}
	seq := t.changeSeq + int64(len(t.changes)) + 1
	numbered := *c
	numbered.Seq = seq
	row, err := changeRow(&numbered)
	if err != nil {
		return err
	}
	c.Seq = seq
	t.changes = append(t.changes, stagedChange{row: row, issuerID: c.Decision.IssuerID, number: c.Decision.Number, date: c.Decision.Date})
	return nil
}

// Rescope keeps the changes' new scopes, to be written, and their WITHIN
// links replaced, when the transaction commits.
func (t *updateTx) Rescope(ctx context.Context, changes []org.Change) error {
	for _, c := range changes {
		t.rescoped = append(t.rescoped, map[string]any{"seq": c.Seq, "scope": idListValue(c.Scope)})
	}
	return nil
}

// DecisionDate is the signing date of the issuer's decision of this number
// as a change this transaction recorded, or one in the history, cites it.
func (t *updateTx) DecisionDate(ctx context.Context, issuerID, number string) (org.Date, error) {
	key := org.DecisionKey(number)
	for _, c := range t.changes {
		if c.issuerID == issuerID && org.DecisionKey(c.number) == key {
			return c.date, nil
		}
	}
	recs, err := run(ctx, t.q, "decision_date", map[string]any{"issuerId": issuerID, "key": key})
	if err != nil {
		return 0, err
	}
	var d decoder
	date := d.date(one(recs), "decisionDate", 0)
	return date, d.err
}

// historyParams are the parameters of a history statement that bound the
// effective dates and the types, and name the organisation when there is one.
func historyParams(q org.ChangeQuery) (map[string]any, error) {
	var types any
	if len(q.Types) > 0 {
		names := make([]string, len(q.Types))
		for i, t := range q.Types {
			name, err := t.MarshalText()
			if err != nil {
				return nil, err
			}
			names[i] = string(name)
		}
		types = names
	}
	until := pastForever
	if q.Until != 0 {
		until = q.Until
	}
	params := map[string]any{"until": dateParam(until), "types": types}
	if q.Within != "" {
		params["within"] = q.Within
	}
	return params, nil
}

// historyStatement is the statement of a kind over the whole history, or its
// variant over the history within an organisation.
func historyStatement(all, within string, q org.ChangeQuery) string {
	if q.Within != "" {
		return within
	}
	return all
}

// Changes lists a page of the history q selects, by effective date, then
// number. The page starts after the later of two positions in that order: the
// cursor's, and the one just before the first change on q.Since.
func (s *Store) Changes(ctx context.Context, cq org.ChangeQuery) (org.ChangePage, error) {
	var page org.ChangePage
	err := s.read(ctx, func(q querier) (err error) {
		page, err = changes(ctx, q, cq)
		return err
	})
	return page, err
}

// Changes reads the history as committed, in the transaction: from the
// working sets it loaded when they hold the answer.
func (t *updateTx) Changes(ctx context.Context, cq org.ChangeQuery) (org.ChangePage, error) {
	from, err := pageStart(cq)
	if err != nil {
		return org.ChangePage{}, err
	}
	if page, ok := t.loaded.laterPage(cq, from); ok {
		return page, nil
	}
	return changes(ctx, t.q, cq)
}

// pageStart is the position a page of the history starts after: the later of
// the cursor's, and the one just before the first change on q.Since.
func pageStart(cq org.ChangeQuery) (org.Change, error) {
	from := org.Change{EffectiveOn: max(cq.Since, firstDate)} // number 0: before the first change that day
	if cq.After != "" {
		after, err := org.DecodeChangeCursor(cq.After)
		if err != nil {
			return org.Change{}, err
		}
		if org.CompareChanges(&after, &from) > 0 {
			from = after
		}
	}
	return from, nil
}

func changes(ctx context.Context, q querier, cq org.ChangeQuery) (org.ChangePage, error) {
	params, err := historyParams(cq)
	if err != nil {
		return org.ChangePage{}, err
	}
	from, err := pageStart(cq)
	if err != nil {
		return org.ChangePage{}, err
	}
	params["fromOn"], params["fromSeq"], params["limit"] = dateParam(from.EffectiveOn), from.Seq, int64(cq.First+1)
	recs, err := run(ctx, q, historyStatement("changes_page", "changes_within_page", cq), params)
	if err != nil {
		return org.ChangePage{}, err
	}
	found, err := changesOf(recs)
	if err != nil {
		return org.ChangePage{}, err
	}
	return org.ChangePage{Changes: found[:min(len(found), cq.First)], HasNext: len(found) > cq.First}, nil
}

// ChangeCounts counts the changes q selects by type.
func (s *Store) ChangeCounts(ctx context.Context, cq org.ChangeQuery) (org.ChangeCounts, error) {
	params, err := historyParams(cq)
	if err != nil {
		return org.ChangeCounts{}, err
	}
	params["since"] = dateParam(max(cq.Since, firstDate))
	statement := historyStatement("change_counts", "change_counts_within", cq)
	var counts org.ChangeCounts
	err = s.read(ctx, func(q querier) error {
		recs, err := run(ctx, q, statement, params)
		if err != nil {
			return err
		}
		var d decoder
		counts = org.ChangeCounts{}
		for _, rec := range recs {
			r := rec.AsMap()
			var t org.ChangeType
			d.enum(r, "type", &t)
			if n := d.integer(r, "changes"); d.err == nil {
				counts[t] += int(n)
			}
		}
		return d.err
	})
	return counts, err
}

// LinkedMembers lists the members with a stint, residence link or role in
// organisation orgID: as stored, and among the members this transaction put.
func (t *updateTx) LinkedMembers(ctx context.Context, orgID string) ([]string, error) {
	var ids []string
	if t.loaded.inside[orgID] {
		ids = t.members.stored(func(r *org.MemberRecord) bool { return memberLinkedTo(r, orgID) })
	} else {
		var err error
		if ids, err = idList(ctx, t.q, "linked_members", map[string]any{"id": orgID}); err != nil {
			return nil, err
		}
	}
	for _, r := range t.members.puts() {
		if memberLinkedTo(r, orgID) {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The caller reads each of them next.
	return ids, t.members.prefetch(ctx, t.q, ids)
}

// memberLinkedTo reports whether any fact of the member points to organisation id.
func memberLinkedTo(r *org.MemberRecord, id string) bool {
	return slices.ContainsFunc(r.Stints, func(s org.Stint) bool { return s.CellID == id }) ||
		slices.ContainsFunc(r.Residences, func(s org.Residence) bool { return s.CellID == id }) ||
		slices.ContainsFunc(r.Roles, func(t org.RoleTerm) bool { return t.OrgID == id })
}

// ChildIDs lists the organisations that ever had orgID as their parent: as
// stored, and among the organisations this transaction put.
func (t *updateTx) ChildIDs(ctx context.Context, orgID string) ([]string, error) {
	childOf := func(r *org.OrgRecord) bool {
		return slices.ContainsFunc(r.Versions, func(v org.Version) bool { return v.ParentID == orgID })
	}
	var ids []string
	if t.loaded.inside[orgID] {
		ids = t.orgs.stored(childOf)
	} else {
		var err error
		if ids, err = idList(ctx, t.q, "child_ids", map[string]any{"id": orgID}); err != nil {
			return nil, err
		}
	}
	for _, r := range t.orgs.puts() {
		if childOf(r) {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The caller reads each of them next.
	return ids, t.orgs.prefetch(ctx, t.q, ids)
}
