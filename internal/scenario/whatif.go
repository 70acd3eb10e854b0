package scenario

import (
	"cmp"
	"context"
	"slices"

	"dangbo/internal/org"
	"dangbo/internal/tree"
)

// whatIf is the structure a scenario describes: the live records with the
// scenario's writes over them, on one date, for the subtree it changes. It is
// the store of the Service that replays the scenario's operations, and then
// answers what-if reads. It holds only what the scenario wrote and the tree
// of its subtree; everything else is read from the live store.
type whatIf struct {
	org.Store // the live store: history, audit log, scenarios and health pass through
	// src reads live records during a replay, inside one store transaction
	// that is never committed; nil afterwards.
	src   org.Tx
	at    org.Date
	roots []string   // the subtree the scenario changes
	tree  *tree.Tree // that subtree on date at, the scenario's writes included

	orgs    map[string]*org.OrgRecord    // written by the scenario
	members map[string]*org.MemberRecord // written by the scenario
	// live holds the live record of every member written, as first read:
	// what their writes change in the counts and links.
	live  map[string]*org.MemberRecord
	reads map[string]int64 // the revision of every live record read
	// ties index the scenario's writes: the members it ties to an
	// organisation, the organisations it puts under a parent.
	linked   map[string][]string
	children map[string][]string
	changes  []org.Change
	// rescoped are the live changes the scenario's operations re-placed
	// (org.Tx.Rescope), by number, each as the last one left it: applying
	// the scenario rewrites them. rescopedWithin indexes them by the
	// organisations of their scopes, as each re-placement gave them (an
	// index entry may be stale: the change's scope now decides).
	rescoped       map[int64]org.Change
	rescopedWithin map[string][]int64
	findings       []org.Violation // of the operations, as they ran
	// writtenBy is the key of the operation that last wrote each record:
	// what a finding about it is tied to.
	writtenBy map[string]int
	// inCell and residing are the members written, by cell and by residence
	// cell, once the replay is over (indexMembers).
	inCell, residing map[string][]org.Member
}

func newWhatIf(live org.Store, src org.Tx, at org.Date, roots []string, t *tree.Tree) *whatIf {
	return &whatIf{Store: live, src: src, at: at, roots: roots, tree: t,
		orgs: map[string]*org.OrgRecord{}, members: map[string]*org.MemberRecord{}, live: map[string]*org.MemberRecord{},
		reads: map[string]int64{}, linked: map[string][]string{}, children: map[string][]string{}, writtenBy: map[string]int{}}
}

// Update runs fn over the scenario's writes; they join the scenario only if
// fn succeeds, so a failed operation leaves nothing behind.
func (w *whatIf) Update(ctx context.Context, fn func(org.Tx) error) error {
	tx := w.newTx()
	if err := fn(tx); err != nil {
		return err
	}
	return w.commit(tx)
}

// View runs fn over the scenario's writes and discards what fn writes.
func (w *whatIf) View(ctx context.Context, fn func(org.Tx) error) error { return fn(w.newTx()) }

func (w *whatIf) newTx() *whatIfTx {
	return &whatIfTx{w: w, orgs: map[string]*org.OrgRecord{}, members: map[string]*org.MemberRecord{}}
}

// Audit records nothing: a scenario's operations are audited as the one
// action that adds or applies them.
func (w *whatIf) Audit(context.Context, org.AuditEntry) error { return nil }

// Import, Export and Close belong to the live store, never to a scenario.
func (w *whatIf) Import(context.Context, org.RecordReader) (org.ImportStats, error) {
	return org.ImportStats{}, errInScenario
}
func (w *whatIf) Export(context.Context, org.RecordWriter) error { return errInScenario }
func (w *whatIf) Close() error                                   { return nil }

var errInScenario = org.Errorf(org.EInvalid, "không thể nhập hoặc xuất dữ liệu trong một phương án")

func (w *whatIf) commit(tx *whatIfTx) error {
	for _, id := range sortedKeys(tx.orgs) {
		r := tx.orgs[id]
		w.orgs[id] = r
		for _, v := range r.Versions {
			if v.ParentID != "" {
				w.children[v.ParentID] = append(w.children[v.ParentID], id)
			}
		}
		if o, ok := r.OrgAt(w.at); ok {
			w.tree.Set(o)
		} else {
			w.tree.Remove(id)
		}
	}
	for _, id := range sortedKeys(tx.members) {
		r := tx.members[id]
		if prev := w.memberRecord(id); prev != nil {
			w.count(prev, -1)
		}
		w.count(r, 1)
		w.members[id] = r
		for _, ids := range [][]string{r.Cells(), r.ResidenceCells(), r.RoleOrgs()} {
			for _, o := range ids {
				w.linked[o] = append(w.linked[o], id)
			}
		}
	}
	w.changes = append(w.changes, tx.changes...)
	for _, c := range tx.rescoped {
		if w.rescoped == nil {
			w.rescoped, w.rescopedWithin = map[int64]org.Change{}, map[string][]int64{}
		}
		w.rescoped[c.Seq] = c
		for _, id := range c.Scope {
			w.rescopedWithin[id] = append(w.rescopedWithin[id], c.Seq)
		}
	}
	return w.tree.Recount()
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}

// memberRecord is member id as the scenario has it so far: written by it, or
// live; nil if neither is known.
func (w *whatIf) memberRecord(id string) *org.MemberRecord {
	if r := w.members[id]; r != nil {
		return r
	}
	return w.live[id]
}

// count adds by to the direct counts of member r's cell on the scenario's date.
func (w *whatIf) count(r *org.MemberRecord, by int32) {
	cell := r.CellOn(w.at)
	o, ok := w.tree.Get(cell)
	if cell == "" || !ok {
		return
	}
	official, probationary := o.Counts.DirectOfficial, o.Counts.DirectProbationary
	if r.StatusOn(w.at) == org.Official {
		official += by
	} else {
		probationary += by
	}
	w.tree.SetDirect(cell, official, probationary)
}

// whatIfTx is one operation's transaction over a scenario.
type whatIfTx struct {
	w       *whatIf
	orgs    map[string]*org.OrgRecord
	members map[string]*org.MemberRecord
	changes []org.Change
	// rescoped are live changes with the scopes the operation gave them
	rescoped []org.Change
}

func (t *whatIfTx) Org(ctx context.Context, id string) (org.OrgRecord, error) {
	if r := cmp.Or(t.orgs[id], t.w.orgs[id]); r != nil {
		return r.Clone(), nil
	}
	if t.w.src == nil {
		return org.OrgRecord{}, org.NotFound("tổ chức", id)
	}
	r, err := t.w.src.Org(ctx, id)
	if err == nil {
		t.w.reads[id] = r.Rev
	}
	return r, err
}

func (t *whatIfTx) Member(ctx context.Context, id string) (org.MemberRecord, error) {
	if r := cmp.Or(t.members[id], t.w.members[id]); r != nil {
		return r.Clone(), nil
	}
	if t.w.src == nil {
		return org.MemberRecord{}, org.NotFound("đảng viên", id)
	}
	r, err := t.w.src.Member(ctx, id)
	if err == nil {
		t.w.reads[id] = r.Rev
		if t.w.live[id] == nil {
			live := r.Clone()
			t.w.live[id] = &live
		}
	}
	return r, err
}

func (t *whatIfTx) PutOrg(_ context.Context, r org.OrgRecord) error {
	t.orgs[r.ID] = &r
	return nil
}

func (t *whatIfTx) PutMember(_ context.Context, r org.MemberRecord) error {
	t.members[r.ID] = &r
	return nil
}

func (t *whatIfTx) Audit(context.Context, org.AuditEntry) error { return nil }

func (t *whatIfTx) RecordChange(_ context.Context, c *org.Change) error {
	c.Seq = int64(len(t.w.changes) + len(t.changes) + 1)
	t.changes = append(t.changes, *c)
	return nil
}

// Rescope keeps the live changes re-placed, which the live history's scopes
// take when the scenario is applied (flush): a preview lists no history.
func (t *whatIfTx) Rescope(_ context.Context, changes []org.Change) error {
	t.rescoped = append(t.rescoped, changes...)
	return nil
}

// DecisionDate is zero: a scenario's operations share the decision that
// applies them, checked once.
func (t *whatIfTx) DecisionDate(context.Context, string, string) (org.Date, error) { return 0, nil }

func (t *whatIfTx) LinkedMembers(ctx context.Context, orgID string) ([]string, error) {
	var ids []string
	if t.w.src != nil {
		var err error
		if ids, err = t.w.src.LinkedMembers(ctx, orgID); err != nil {
			return nil, err
		}
	}
	ids = append(ids, t.w.linked[orgID]...)
	for id, r := range t.members {
		if slices.Contains(r.Cells(), orgID) || slices.Contains(r.ResidenceCells(), orgID) || slices.Contains(r.RoleOrgs(), orgID) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

func (t *whatIfTx) ChildIDs(ctx context.Context, orgID string) ([]string, error) {
	var ids []string
	if t.w.src != nil {
		var err error
		if ids, err = t.w.src.ChildIDs(ctx, orgID); err != nil {
			return nil, err
		}
	}
	ids = append(ids, t.w.children[orgID]...)
	for id, r := range t.orgs {
		if slices.ContainsFunc(r.Versions, func(v org.Version) bool { return v.ParentID == orgID }) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

func (t *whatIfTx) ChartNodes(ctx context.Context, v org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	return t.w.ChartNodes(ctx, v, q, limit)
}

// Load passes to the replay's transaction what the scenario has not written.
func (t *whatIfTx) Load(ctx context.Context, ws org.WorkingSet) error {
	if t.w.src == nil {
		return nil
	}
	ws.Near = slices.DeleteFunc(slices.Clone(ws.Near), func(id string) bool {
		return cmp.Or(t.orgs[id], t.w.orgs[id]) != nil || cmp.Or(t.members[id], t.w.members[id]) != nil
	})
	return t.w.src.Load(ctx, ws)
}

// Changes reads the live history (in the replay's transaction while there
// is one) as the scenario's operations have re-placed it so far: an
// operation finds a change where an earlier one put it (a cell moved into
// a commune, then the commune moved: the cell's later history moves with
// the commune), and a scope it computes is compared with the one the change
// now has (a cell moved away and back again must be put back).
func (t *whatIfTx) Changes(ctx context.Context, q org.ChangeQuery) (org.ChangePage, error) {
	read := t.w.Store.Changes
	if t.w.src != nil {
		read = t.w.src.Changes
	}
	if len(t.w.rescoped) == 0 && len(t.rescoped) == 0 {
		return read(ctx, q)
	}
	var from *org.Change // the position the page starts after
	if q.After != "" {
		c, err := org.DecodeChangeCursor(q.After)
		if err != nil {
			return org.ChangePage{}, err
		}
		from = &c
	}
	// The live pages up to the first that still lists something: they
	// answer for every position up to their last change.
	var out []org.Change
	listed := map[int64]bool{}
	var page org.ChangePage
	for {
		var err error
		if page, err = read(ctx, q); err != nil {
			return page, err
		}
		for _, c := range page.Changes {
			listed[c.Seq] = true
			if placed, ok := t.rescopedAs(c.Seq); ok {
				c = placed
			}
			if q.Matches(&c) {
				out = append(out, c)
			}
		}
		if len(out) > 0 || !page.HasNext || len(page.Changes) == 0 {
			break
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
	var to *org.Change // the last position those pages answer for; nil for all
	if page.HasNext && len(page.Changes) > 0 {
		to = &page.Changes[len(page.Changes)-1]
	}
	// The changes re-placed into what q selects, in those positions.
	candidates := make([]int64, 0, len(t.rescoped))
	for _, c := range t.rescoped {
		candidates = append(candidates, c.Seq)
	}
	if q.Within != "" {
		candidates = append(candidates, t.w.rescopedWithin[q.Within]...)
	} else {
		for seq := range t.w.rescoped {
			candidates = append(candidates, seq)
		}
	}
	for _, seq := range candidates {
		c, _ := t.rescopedAs(seq)
		if !listed[seq] && q.Matches(&c) && (from == nil || org.CompareChanges(&c, from) > 0) && (to == nil || org.CompareChanges(&c, to) <= 0) {
			listed[seq] = true
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b org.Change) int { return org.CompareChanges(&a, &b) })
	if q.First > 0 && len(out) > q.First {
		return org.ChangePage{Changes: out[:q.First], HasNext: true}, nil
	}
	return org.ChangePage{Changes: out, HasNext: page.HasNext}, nil
}

// rescopedAs is live change seq as the scenario's operations have re-placed
// it, if they have.
func (t *whatIfTx) rescopedAs(seq int64) (org.Change, bool) {
	for i := len(t.rescoped) - 1; i >= 0; i-- {
		if t.rescoped[i].Seq == seq {
			return t.rescoped[i], true
		}
	}
	c, ok := t.w.rescoped[seq]
	return c, ok
}

func (t *whatIfTx) Scenario(ctx context.Context, id string) (org.Scenario, error) {
	return t.w.Store.Scenario(ctx, id)
}

func (t *whatIfTx) PutScenario(context.Context, org.Scenario) error {
	return org.Errorf(org.EInternal, "một phương án không thể ghi phương án khác")
}

// The reads below answer from the tree and the scenario's writes, on the
// scenario's date whatever the view says.

func (w *whatIf) Roots(context.Context, org.View) ([]org.Org, error) { return w.tree.Roots(), nil }

func (w *whatIf) Org(_ context.Context, _ org.View, id string) (org.Org, error) {
	if o, ok := w.tree.Get(id); ok {
		return o, nil
	}
	return org.Org{}, org.NotFound("tổ chức", id)
}

func (w *whatIf) Orgs(_ context.Context, _ org.View, ids []string) ([]org.Org, error) {
	out := make([]org.Org, len(ids))
	for i, id := range ids {
		out[i], _ = w.tree.Get(id)
	}
	return out, nil
}

func (w *whatIf) Children(_ context.Context, _ org.View, id string, q org.PageQuery, kinds []org.Kind) (org.OrgPage, error) {
	page, more, total, err := w.tree.Children(id, q, kinds)
	return org.OrgPage{Orgs: page, HasNext: more, Total: total}, err
}

func (w *whatIf) Path(_ context.Context, _ org.View, id string) ([]org.Org, error) {
	if !w.tree.Has(id) {
		return nil, org.NotFound("tổ chức", id)
	}
	return w.tree.Path(id), nil
}

func (w *whatIf) Covers(_ context.Context, _ org.View, roots, ids []string) ([]bool, error) {
	out := make([]bool, len(ids))
	for i, id := range ids {
		out[i] = w.tree.WithinAny(id, roots)
	}
	return out, nil
}

// CoversOn answers on the scenario's date whatever the date asked: a
// scenario's view has that one date.
func (w *whatIf) CoversOn(_ context.Context, roots []string, asks []org.DatedID) ([]bool, error) {
	out := make([]bool, len(asks))
	for i, a := range asks {
		out[i] = w.tree.WithinAny(a.ID, roots)
	}
	return out, nil
}

func (w *whatIf) ChartNodes(_ context.Context, _ org.View, q org.ChartQuery, limit int) ([]org.ChartNode, error) {
	return w.tree.ChartNodes(q, limit)
}

// Member is the member as the scenario has them, if their cell is in its subtree.
func (w *whatIf) Member(ctx context.Context, _ org.View, id string) (org.Member, error) {
	ms, err := w.Members(ctx, org.View{}, []string{id})
	return org.OnlyMember(ms, err, id)
}

func (w *whatIf) Members(ctx context.Context, _ org.View, ids []string) ([]org.Member, error) {
	live, err := w.liveMembers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if r := w.members[id]; r != nil {
			live[i], _ = r.MemberAt(w.at)
		}
		if !w.tree.Has(live[i].CellID) {
			live[i] = org.Member{}
		}
	}
	return live, nil
}

// liveMembers reads members as the live store has them on the scenario's
// date: during a replay in its transaction, since a read in a transaction of
// its own would wait for a second connection while the replay holds one.
func (w *whatIf) liveMembers(ctx context.Context, ids []string) ([]org.Member, error) {
	if w.src == nil {
		return w.Store.Members(ctx, org.View{At: w.at}, ids)
	}
	out := make([]org.Member, len(ids))
	for i, id := range ids {
		r, err := w.src.Member(ctx, id)
		if org.ErrorCode(err) == org.ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i], _ = r.MemberAt(w.at)
	}
	return out, nil
}

func (w *whatIf) CellMembers(ctx context.Context, _ org.View, orgID string, q org.PageQuery) (org.MemberPage, error) {
	return w.memberPage(ctx, orgID, q, w.inCell, w.Store.CellMembers)
}

func (w *whatIf) Residents(ctx context.Context, _ org.View, cellID string, q org.PageQuery) (org.MemberPage, error) {
	return w.memberPage(ctx, cellID, q, w.residing, w.Store.Residents)
}

// indexMembers lists the members the scenario wrote by the cell they are in,
// and the cell they live in, on its date: member pages read them after the
// replay, once per organisation.
func (w *whatIf) indexMembers() {
	w.inCell, w.residing = map[string][]org.Member{}, map[string][]org.Member{}
	for _, r := range w.members {
		m, ok := r.MemberAt(w.at)
		if !ok {
			continue
		}
		w.inCell[m.CellID] = append(w.inCell[m.CellID], m)
		if m.ResidenceCellID != "" {
			w.residing[m.ResidenceCellID] = append(w.residing[m.ResidenceCellID], m)
		}
	}
}

// memberPage pages through an organisation's members: the live list, less
// those the scenario wrote, plus those it has there (written, by organisation).
func (w *whatIf) memberPage(ctx context.Context, orgID string, q org.PageQuery, written map[string][]org.Member, livePage func(context.Context, org.View, string, org.PageQuery) (org.MemberPage, error)) (org.MemberPage, error) {
	if !w.tree.Has(orgID) {
		return org.MemberPage{}, org.NotFound("tổ chức", orgID)
	}
	live, err := livePage(ctx, org.View{At: w.at}, orgID, org.PageQuery{First: org.MaxResidents})
	if err != nil && org.ErrorCode(err) != org.ENotFound { // not found: new in the scenario
		return org.MemberPage{}, err
	}
	all := slices.DeleteFunc(live.Members, func(m org.Member) bool { return w.members[m.ID] != nil })
	if here := written[orgID]; len(here) > 0 {
		// The live list is in page order; only what the scenario brings needs sorting in.
		all = append(all, here...)
		keys := make(map[string]string, len(all))
		for _, m := range all {
			keys[m.ID] = org.Fold(m.FullName)
		}
		slices.SortFunc(all, func(a, b org.Member) int { return cmp.Or(cmp.Compare(keys[a.ID], keys[b.ID]), cmp.Compare(a.ID, b.ID)) })
	}
	return org.PageMembers(all, q)
}

// Search finds organisations in the scenario's tree and members through the
// live index, placed where the scenario puts them.
func (w *whatIf) Search(ctx context.Context, _ org.View, q org.SearchQuery) ([]org.Hit, error) {
	m, err := org.NewMatcher(q.Text)
	if err != nil {
		return nil, err
	}
	within := q.Within
	if len(within) == 0 {
		within = w.roots
	}
	for _, id := range within {
		if !w.tree.Has(id) {
			return nil, org.NotFound("tổ chức", id)
		}
	}
	var hits []org.Hit
	if q.Wants(org.SearchOrgs) {
		for _, root := range within {
			err := w.tree.Walk(root, -1, func(o *org.Org, _ int) bool {
				if score, ok := m.Score(org.Fold(o.Name), true); ok {
					found := *o
					hits = append(hits, org.Hit{Org: &found, Score: score})
				}
				return true
			})
			if err != nil {
				return nil, err
			}
		}
	}
	if q.Wants(org.SearchMembers) {
		// Enough live hits that those the scenario wrote, left out, leave q.First.
		live, err := w.Store.Search(ctx, org.View{At: w.at}, org.SearchQuery{Text: q.Text, First: q.First + len(w.members),
			Types: []org.SearchType{org.SearchMembers}, Within: w.roots})
		if err != nil {
			return nil, err
		}
		for _, h := range live {
			if w.members[h.Member.ID] == nil {
				hits = append(hits, org.Hit{Member: h.Member, Score: h.Score})
			}
		}
		for _, r := range w.members {
			if score, ok := m.Score(org.Fold(r.FullName), false); ok {
				if mb, ok := r.MemberAt(w.at); ok {
					hits = append(hits, org.Hit{Member: &mb, Score: score})
				}
			}
		}
	}
	hits = slices.DeleteFunc(hits, func(h org.Hit) bool {
		return h.Member != nil && !w.tree.WithinAny(h.Member.CellID, within)
	})
	slices.SortFunc(hits, func(a, b org.Hit) int { return a.Key().Compare(b.Key()) })
	hits = hits[:min(len(hits), q.First)]
	for i := range hits {
		if hits[i].Org != nil {
			hits[i].Path = w.tree.Path(hits[i].Org.ID)
		} else {
			hits[i].Path = w.tree.Path(hits[i].Member.CellID)
		}
	}
	return hits, nil
}

// ResidenceLinks counts the live links less those of members the scenario
// wrote, plus theirs as it has them.
func (w *whatIf) ResidenceLinks(ctx context.Context, _ org.View, cells []string) ([]org.ResidenceLink, error) {
	links, err := w.Store.ResidenceLinks(ctx, org.View{At: w.at}, cells)
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, id := range cells {
		in[id] = true
	}
	count := map[[2]string]int{}
	for _, l := range links {
		count[[2]string{l.From, l.To}] = l.Members
	}
	pair := func(r *org.MemberRecord) ([2]string, bool) {
		from, to := r.CellOn(w.at), r.ResidenceOn(w.at)
		return [2]string{from, to}, from != "" && to != "" && from != to && in[from] && in[to]
	}
	for id, r := range w.members {
		if old := w.live[id]; old != nil {
			if p, ok := pair(old); ok {
				count[p]--
			}
		}
		if p, ok := pair(r); ok {
			count[p]++
		}
	}
	out := make([]org.ResidenceLink, 0, len(count))
	for p, n := range count {
		if n > 0 && w.tree.Has(p[0]) && w.tree.Has(p[1]) {
			out = append(out, org.ResidenceLink{From: p[0], To: p[1], Members: n})
		}
	}
	slices.SortFunc(out, func(a, b org.ResidenceLink) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return out, nil
}

// label names live record id for a message, read through tx: the
// transaction a scenario is applied in, which no other may wait on.
func (w *whatIf) label(ctx context.Context, tx org.Tx, id string) string {
	if r, err := tx.Org(ctx, id); err == nil {
		if v, ok := r.At(w.at); ok {
			return "tổ chức " + org.Quoted(v.Name)
		}
	}
	if m, err := tx.Member(ctx, id); err == nil {
		return "đảng viên " + org.Quoted(m.FullName)
	}
	return "một bản ghi phương án đã đọc"
}
