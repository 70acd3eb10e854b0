package server

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"dangbo/internal/org"
)

type breakdownRow struct {
	Key   string
	Label string
	Count int
	Share float64
}

// breakdown asks the statistics of org id broken down by by (of the demo's
// rating year) as the holder of token.
func (w *demoWorld) breakdown(t *testing.T, token, id, by string) []breakdownRow {
	t.Helper()
	w.s.token = token
	var d struct {
		Statistics struct{ Breakdown []breakdownRow }
	}
	w.s.data(w.s.post(`query($id: ID!, $by: BreakdownBy!) { statistics(orgId: $id) { breakdown(by: $by, year: 2020) { key label count share } } }`,
		map[string]any{"id": id, "by": by}), &d)
	return d.Statistics.Breakdown
}

func rowOf(t *testing.T, rows []breakdownRow, key string) breakdownRow {
	t.Helper()
	i := slices.IndexFunc(rows, func(r breakdownRow) bool { return r.Key == key })
	if i < 0 {
		t.Fatalf("no row %s in %+v", key, rows)
	}
	return rows[i]
}

// The figures of the source articles that the demo holds, read through GraphQL by a
// viewer of the province: breakdowns, and the subtree's member list filtered.
func TestArticleFiguresThroughGraphQL(t *testing.T) {
	w := newDemoWorld(t, Config{})
	viewer := w.mint("viewer", org.Viewer, w.province)
	hits, err := w.s.svc.Search(org.WithPrincipal(context.Background(), org.System), w.s.svc.Now(), org.SearchQuery{Text: "Đảng bộ Khối các cơ quan tỉnh", First: 1,
		Types: []org.SearchType{org.SearchOrgs}, Within: []string{w.province}})
	if err != nil || len(hits) == 0 {
		t.Fatal(hits, err)
	}
	bloc := hits[0].Org.ID

	pct := func(share float64, decimals int) string { return fmt.Sprintf("%.*f", decimals, share) }
	orgs := w.breakdown(t, viewer, w.province, "ORG_RATING")
	members := w.breakdown(t, viewer, w.province, "MEMBER_RATING")
	for _, c := range []struct {
		rows     []breakdownRow
		key      string
		decimals int
		want     string
	}{
		{orgs, "EXCELLENT", 1, "18.8"}, {orgs, "GOOD", 1, "74.7"}, {orgs, "COMPLETED", 1, "6.4"},
		{members, "EXCELLENT", 2, "16.58"}, {members, "GOOD", 2, "74.43"}, {members, "COMPLETED", 1, "8.3"},
	} {
		if got := pct(rowOf(t, c.rows, c.key).Share, c.decimals); got != c.want {
			t.Errorf("%s: %s %%, want %s (%+v)", c.key, got, c.want, c.rows)
		}
	}
	if r := rowOf(t, members, "GOOD"); r.Count != 75678 || r.Label != "Hoàn thành tốt nhiệm vụ" {
		t.Errorf("good members %+v", r)
	}
	if r := rowOf(t, orgs, org.Unrated); r.Count != 3 {
		t.Errorf("unrated grassroots organisations %+v, want the 3 founded in 2020", r)
	}

	theory := w.breakdown(t, viewer, bloc, "POLITICAL_THEORY")
	intermediate, advanced := rowOf(t, theory, "INTERMEDIATE"), rowOf(t, theory, "ADVANCED")
	if n, share := intermediate.Count+advanced.Count, intermediate.Share+advanced.Share; n != 2344 || pct(share, 1) != "46.7" || advanced.Count != 939 {
		t.Errorf("bloc: %d (%.2f %%) with intermediate theory or more, %d advanced; want 2,344 (46.7 %%), 939", n, share, advanced.Count)
	}

	heads := w.breakdown(t, viewer, bloc, "SECRETARY_HEADS_UNIT")
	if yes, no := rowOf(t, heads, "HEADS_UNIT"), rowOf(t, heads, "DOES_NOT_HEAD"); yes.Count != 60 || yes.Count+no.Count != 61 {
		t.Errorf("bloc: %d of %d grassroots secretaries head their agency, want 60 of 61 (%+v)", yes.Count, yes.Count+no.Count, heads)
	}

	count := func(id, filter string) int {
		t.Helper()
		var d struct {
			Org struct{ Members struct{ TotalCount int } }
		}
		w.s.token = viewer
		w.s.data(w.s.post(`query($id: ID!) { org(id: $id) { members(subtree: true, first: 1, filter: `+filter+`) { totalCount } } }`,
			map[string]any{"id": id}), &d)
		return d.Org.Members.TotalCount
	}
	if n := count(bloc, `{politicalTheory: [INTERMEDIATE, ADVANCED]}`); n != 2344 {
		t.Errorf("bloc members with intermediate theory or more: %d, want 2,344", n)
	}
	if n := count(bloc, `{politicalTheory: [ADVANCED]}`); n != 939 {
		t.Errorf("bloc members with advanced theory: %d, want 939", n)
	}
	if n := count(w.province, `{rated: {year: 2020, ratings: [EXCELLENT]}}`); n != 16858 {
		t.Errorf("province members rated excellent in 2020: %d, want 16,858", n)
	}
	if n := count(bloc, `{}`); n != 5022 {
		t.Errorf("bloc members %d, want 5,022", n)
	}

	// Kon Tum at the end of its history: village heads and thematic
	// meetings, read as a viewer of the province.
	hits, err = w.s.svc.Search(org.WithPrincipal(context.Background(), org.System), w.s.svc.Now(), org.SearchQuery{Text: "Đảng bộ tỉnh Kon Tum", First: 1,
		Types: []org.SearchType{org.SearchOrgs}})
	if err != nil || len(hits) == 0 {
		t.Fatal(hits, err)
	}
	konTum := hits[0].Org.ID
	w.s.token = w.mint("viewer-kt", org.Viewer, konTum)
	var kt struct {
		Statistics struct {
			CellCount     int
			CellsBySector []struct {
				Sector string
				Count  int
			}
			Heads, Meetings []breakdownRow
		}
		Org struct{ Members struct{ TotalCount int } }
	}
	w.s.data(w.s.post(`query($id: ID!) {
		statistics(orgId: $id, asOf: "2021-10-25") { cellCount cellsBySector { sector count }
			heads: breakdown(by: VILLAGE_HEADS) { key label count share }
			meetings: breakdown(by: THEMATIC_MEETINGS, year: 2021) { key label count share } }
		org(id: $id, asOf: "2021-10-25") { members(subtree: true, first: 1, filter: {role: [VILLAGE_HEAD]}) { totalCount } } }`,
		map[string]any{"id": konTum}), &kt)
	villages := 0
	for _, s := range kt.Statistics.CellsBySector {
		if s.Sector == "VILLAGE" || s.Sector == "RESIDENTIAL_GROUP" {
			villages += s.Count
		}
	}
	bySecretary, byOther := rowOf(t, kt.Statistics.Heads, "HEAD_IS_SECRETARY"), rowOf(t, kt.Statistics.Heads, "HEAD_IS_OTHER_MEMBER")
	if none := rowOf(t, kt.Statistics.Heads, "HEAD_NOT_A_MEMBER"); villages != 756 || bySecretary.Count+byOther.Count+none.Count != 756 ||
		bySecretary.Count+byOther.Count != 588 || bySecretary.Count != 280 || kt.Org.Members.TotalCount != 588 {
		t.Errorf("Kon Tum: %d villages; heads %+v; %d members head a village; want 588 of 756 heads members, 280 secretaries",
			villages, kt.Statistics.Heads, kt.Org.Members.TotalCount)
	}
	if held, not := rowOf(t, kt.Statistics.Meetings, "HELD"), rowOf(t, kt.Statistics.Meetings, "NOT_HELD"); held.Count != 2203 ||
		held.Count+not.Count != 2276 || kt.Statistics.CellCount != 2276 {
		t.Errorf("Kon Tum: %+v of %d cells held thematic meetings in 2021, want 2,203 of 2,276", kt.Statistics.Meetings, kt.Statistics.CellCount)
	}
}

// A subtree's member list pages by its own cursors only, and personal data
// is neither counted nor filtered on for a viewer, while an officer may.
func TestSubtreeMembersThroughGraphQL(t *testing.T) {
	w := newDemoWorld(t, Config{})
	viewer, officer := w.mint("viewer", org.Viewer, w.district), w.mint("officer", org.Officer, w.district)
	const list = `query($id: ID!, $after: String, $filter: MemberFilter) { org(id: $id) {
		members(subtree: true, first: 100, after: $after, filter: $filter, orderBy: ADMITTED_ON) {
		totalCount edges { node { id admittedOn } } pageInfo { hasNextPage endCursor } } } }`
	type page struct {
		Org struct {
			Members struct {
				TotalCount int
				Edges      []struct {
					Node struct{ ID, AdmittedOn string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
	}
	filter := map[string]any{"status": []string{"PROBATIONARY"}}
	w.s.token = viewer
	seen, last := map[string]bool{}, ""
	var after any
	total, cursor := 0, ""
	for {
		var p page
		w.s.data(w.s.post(list, map[string]any{"id": w.district, "after": after, "filter": filter}), &p)
		m := p.Org.Members
		total, cursor = m.TotalCount, m.PageInfo.EndCursor
		for _, e := range m.Edges {
			if seen[e.Node.ID] || e.Node.AdmittedOn < last {
				t.Fatalf("%s again or out of order", e.Node.ID)
			}
			seen[e.Node.ID], last = true, e.Node.AdmittedOn
		}
		if !m.PageInfo.HasNextPage {
			break
		}
		after = m.PageInfo.EndCursor
	}
	if len(seen) != total || total < 300 {
		t.Errorf("read %d probationary members of Hạ Long, totalCount %d", len(seen), total)
	}
	// The cursor of the filtered list does not page the unfiltered one.
	r := w.s.post(list, map[string]any{"id": w.district, "after": cursor})
	if got := r.codes(); !slices.Equal(got, []string{org.EInvalid}) {
		t.Errorf("a cursor of another list: %v, want BAD_USER_INPUT", got)
	}

	for _, c := range []struct{ token, want string }{{viewer, org.EForbidden}, {officer, ""}} {
		w.s.token = c.token
		r := w.s.post(`query($id: ID!) { statistics(orgId: $id) { breakdown(by: AGE_BAND) { key count } memberCount } }`, map[string]any{"id": w.district})
		r2 := w.s.post(list, map[string]any{"id": w.district, "filter": map[string]any{"ethnicity": []string{"Kinh"}}})
		for _, r := range []*gqlResponse{r, r2} {
			if got := r.codes(); c.want == "" && len(got) > 0 || c.want != "" && !slices.Equal(got, []string{c.want}) {
				t.Errorf("personal breakdown or filter: %v, want %q", got, c.want)
			}
		}
	}
}
