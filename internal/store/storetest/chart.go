package storetest

import (
	"cmp"
	"slices"
	"testing"

	"dangbo/internal/demo"
	"dangbo/internal/org"
)

// importVinhPhuc loads a copy of the Vĩnh Phúc demo and returns the demo.
func (f *fixture) importVinhPhuc() *demo.Dataset {
	f.t.Helper()
	d := demo.VinhPhuc()
	if _, err := f.s.Import(f.ctx, d.Clone().Reader()); err != nil {
		f.t.Fatalf("Import: %v", err)
	}
	return d
}

// orgNamed is the organisation of the view named name, found through search.
func (f *fixture) orgNamed(v org.View, name string) org.Org {
	f.t.Helper()
	hits, err := f.s.Search(f.ctx, v, org.SearchQuery{Text: name, First: 1, Types: []org.SearchType{org.SearchOrgs}})
	if err != nil || len(hits) == 0 || hits[0].Org.Name != name {
		f.t.Fatalf("search %q = %+v, %v", name, hits, err)
	}
	return *hits[0].Org
}

func testChart(t *testing.T, f *fixture) {
	d := f.importVinhPhuc()
	v := org.View{At: demo.Reference}
	commune := f.orgNamed(v, "Đảng bộ xã Tam Hồng")
	nodes, err := f.s.ChartNodes(f.ctx, v, org.ChartQuery{RootID: commune.ID, Depth: -1}, 100)
	if err != nil {
		t.Fatal(err)
	}
	// As the source articles report: 587 members in 18 cells — 13 village, 4 school, 1 health.
	if len(nodes) != 19 || nodes[0].ID != commune.ID || nodes[0].ChartParentID != "" || nodes[0].Depth != 0 {
		t.Fatalf("Tam Hồng chart: %d nodes, first %+v", len(nodes), nodes[0])
	}
	root := nodes[0].Counts
	if root.Members() != 587 || root.Children != 18 || root.Official+root.Probationary != 587 {
		t.Fatalf("Tam Hồng counts = %+v", root)
	}
	sectors := map[org.Sector]int{}
	var members int32
	for i, n := range nodes[1:] {
		if n.Kind != org.Cell || n.ChartParentID != commune.ID || n.ParentID != commune.ID || n.Depth != 1 {
			t.Fatalf("cell %d = %+v", i, n)
		}
		if n.Counts.Members() != n.Counts.DirectMembers() || n.Counts.Children != 0 {
			t.Fatalf("cell %s counts = %+v", n.Name, n.Counts)
		}
		if i > 0 && org.Fold(nodes[i].Name) > org.Fold(n.Name) {
			t.Fatalf("siblings out of order: %q before %q", nodes[i].Name, n.Name)
		}
		sectors[n.Sector]++
		members += n.Counts.DirectMembers()
	}
	if members != 587 || sectors[org.SectorVillage] != 13 || sectors[org.SectorSchool] != 4 || sectors[org.SectorHealth] != 1 {
		t.Fatalf("cells hold %d members, by sector %v", members, sectors)
	}

	// Links: exactly the pairs the records give, counted independently.
	cells := make([]string, 0, 18)
	for _, n := range nodes[1:] {
		cells = append(cells, n.ID)
	}
	links, err := f.s.ResidenceLinks(f.ctx, v, cells)
	if err != nil {
		t.Fatal(err)
	}
	if want := linksFromRecords(d.Members, v.At, cells); len(want) == 0 || !slices.Equal(links, want) {
		t.Fatalf("links = %v\nwant %v", links, want)
	}
	if links, _ := f.s.ResidenceLinks(f.ctx, v, cells[:1]); len(links) != 0 {
		t.Fatalf("links with one end outside the cells asked: %v", links)
	}

	province := f.orgNamed(v, "Đảng bộ tỉnh Vĩnh Phúc")
	whole, err := f.s.ChartNodes(f.ctx, v, org.ChartQuery{RootID: province.ID, Depth: -1}, 100)
	if err != nil || len(whole) != 1+2+2+18+10 {
		t.Fatalf("province chart: %d nodes, %v", len(whole), err)
	}
	seen := map[string]bool{}
	for _, n := range whole {
		if n.ChartParentID != "" && !seen[n.ChartParentID] {
			t.Fatalf("%s comes before its parent", n.Name)
		}
		seen[n.ID] = true
	}
	top, _ := f.s.ChartNodes(f.ctx, v, org.ChartQuery{RootID: province.ID, Depth: 1}, 100)
	if len(top) != 3 || top[1].Kind != org.District || top[2].Depth != 1 {
		t.Fatalf("depth 1: %+v", top)
	}
	// Without the district level the communes hang from the province.
	communes, _ := f.s.ChartNodes(f.ctx, v, org.ChartQuery{RootID: province.ID, Depth: -1,
		Kinds: []org.Kind{org.GrassrootsCommittee}}, 100)
	if len(communes) != 3 || communes[1].ChartParentID != province.ID || communes[1].Depth != 2 ||
		communes[1].ParentID == province.ID {
		t.Fatalf("communes only: %+v", communes)
	}

	_, err = f.s.ChartNodes(f.ctx, v, org.ChartQuery{RootID: province.ID, Depth: -1}, 30)
	wantCode(t, err, org.EInvalid, "")
	_, err = f.s.ChartNodes(f.ctx, v, org.ChartQuery{RootID: "onope", Depth: -1}, 100)
	wantCode(t, err, org.ENotFound, "")
	_, err = f.s.ChartNodes(f.ctx, org.View{At: org.DateFrom(1930, 2, 3)}, org.ChartQuery{RootID: province.ID, Depth: -1}, 100)
	wantCode(t, err, org.ENotFound, "")
}

// linksFromRecords counts residence links between cells from the records alone.
func linksFromRecords(members []org.MemberRecord, at org.Date, cells []string) []org.ResidenceLink {
	counts := map[[2]string]int{}
	for _, m := range members {
		from, to := m.CellOn(at), m.ResidenceOn(at)
		if from != to && slices.Contains(cells, from) && slices.Contains(cells, to) {
			counts[[2]string{from, to}]++
		}
	}
	var out []org.ResidenceLink
	for k, n := range counts {
		out = append(out, org.ResidenceLink{From: k[0], To: k[1], Members: n})
	}
	slices.SortFunc(out, func(a, b org.ResidenceLink) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return out
}

// testChartAsOf: a chart shows the structure, counts and links of its date.
func testChartAsOf(t *testing.T, f *fixture) {
	f.importRecords(history())
	ids := func(d org.Date) []string {
		nodes, err := f.s.ChartNodes(f.ctx, org.View{At: d}, org.ChartQuery{RootID: "oprov", Depth: -1}, 10)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		var out []string
		for _, n := range nodes {
			out = append(out, n.ID)
		}
		return out
	}
	if got := ids(on(2012, 1, 1)); !slices.Equal(got, []string{"oprov", "odist", "ocomm", "ocell1"}) {
		t.Fatalf("2012: %v", got)
	}
	if got := ids(on(2019, 1, 1)); !slices.Equal(got, []string{"oprov", "odist", "ocomm", "ocell1", "ocell2"}) {
		t.Fatalf("2019: %v", got)
	}
	after, _ := f.s.ChartNodes(f.ctx, org.View{At: on(2020, 1, 1)}, org.ChartQuery{RootID: "oprov", Depth: -1}, 10)
	if len(after) != 4 || after[1].ID != "ocomm" || after[1].Name != "Đảng bộ xã Hà Mòn mới" || after[1].Depth != 1 ||
		after[1].Counts.Members() != 2 || after[0].Counts.Official != 1 {
		t.Fatalf("2020: %+v", after)
	}
	cells := []string{"ocell1", "ocell2"}
	if links, _ := f.s.ResidenceLinks(f.ctx, org.View{At: on(2017, 1, 1)}, cells); !slices.Equal(links,
		[]org.ResidenceLink{{From: "ocell1", To: "ocell2", Members: 1}}) {
		t.Fatalf("links in 2017: %v", links)
	}
	if links, _ := f.s.ResidenceLinks(f.ctx, org.View{At: on(2018, 1, 1)}, cells); len(links) != 0 {
		t.Fatalf("links after the member left: %v", links)
	}
}
