package tree

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"dangbo/internal/org"
)

func orgOf(id, parent, name string, kind org.Kind, sector org.Sector) org.Org {
	return org.Org{ID: id, ParentID: parent, Name: name, Kind: kind, Sector: sector}
}

// smallTree is a province with a district, a commune committee with two cells
// (one under a partial committee) and a grassroots cell.
func smallTree(t *testing.T) *Tree {
	t.Helper()
	tr := New(org.DateFrom(2021, 1, 1))
	for _, o := range []org.Org{
		orgOf("c2", "gc", "Chi bộ Trường Tiểu học", org.Cell, org.SectorSchool), // children before parents on purpose
		orgOf("p", "", "Đảng bộ tỉnh", org.Province, org.SectorOther),
		orgOf("d", "p", "Huyện ủy Yên Lạc", org.District, org.SectorOther),
		orgOf("gc", "d", "Đảng bộ xã Tam Hồng", org.GrassrootsCommittee, org.SectorCommune),
		orgOf("pc", "gc", "Đảng bộ bộ phận", org.PartialCommittee, org.SectorOther),
		orgOf("c1", "pc", "Chi bộ thôn Đông", org.Cell, org.SectorVillage),
		orgOf("gcell", "d", "Chi bộ cơ sở Trạm Y tế", org.GrassrootsCell, org.SectorHealth),
	} {
		tr.Set(o)
	}
	tr.SetDirect("c1", 10, 2)
	tr.SetDirect("c2", 5, 0)
	tr.SetDirect("gcell", 7, 1)
	if err := tr.Recount(); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTreeCounts(t *testing.T) {
	tr := smallTree(t)
	p, _ := tr.Get("p")
	c := p.Counts
	if c.Children != 1 || c.ByKind[org.District] != 1 || c.Grassroots() != 2 || c.ByKind[org.PartialCommittee] != 1 ||
		c.ByKind[org.Cell] != 2 || c.Official != 22 || c.Probationary != 3 || c.Members() != 25 ||
		c.CellsBySector[org.SectorVillage] != 1 || c.CellsBySector[org.SectorSchool] != 1 || c.CellsBySector[org.SectorHealth] != 0 {
		t.Fatalf("province counts = %+v", c)
	}
	gc, _ := tr.Get("gc")
	if gc.Counts.Children != 2 || gc.Counts.Members() != 17 || gc.Counts.ByKind[org.Cell] != 2 {
		t.Fatalf("commune counts = %+v", gc.Counts)
	}
	cell, _ := tr.Get("c1")
	if cell.Counts.DirectMembers() != 12 || cell.Counts.Members() != 12 || cell.Counts.Children != 0 {
		t.Fatalf("cell counts = %+v", cell.Counts)
	}
}

func TestTreeMoveAndRemove(t *testing.T) {
	tr := smallTree(t)
	// Move the school cell from the commune to the partial committee.
	tr.Set(orgOf("c2", "pc", "Chi bộ Trường Tiểu học", org.Cell, org.SectorSchool))
	if err := tr.Recount(); err != nil {
		t.Fatal(err)
	}
	pc, _ := tr.Get("pc")
	gc, _ := tr.Get("gc")
	if pc.Counts.Children != 2 || pc.Counts.Members() != 17 || gc.Counts.Children != 1 || gc.Counts.Members() != 17 {
		t.Fatalf("after move: pc %+v, gc %+v", pc.Counts, gc.Counts)
	}
	// Flatten: the commune moves up to the province, the district ends.
	tr.Set(orgOf("gc", "p", "Đảng bộ xã Tam Hồng", org.GrassrootsCommittee, org.SectorCommune))
	tr.Set(orgOf("gcell", "p", "Chi bộ cơ sở Trạm Y tế", org.GrassrootsCell, org.SectorHealth))
	tr.Remove("d")
	if err := tr.Recount(); err != nil {
		t.Fatal(err)
	}
	p, _ := tr.Get("p")
	if p.Counts.Children != 2 || p.Counts.ByKind[org.District] != 0 || p.Counts.Members() != 25 || p.Counts.Grassroots() != 2 {
		t.Fatalf("after flattening: %+v", p.Counts)
	}
	if path := tr.Path("c1"); len(path) != 4 || path[0].ID != "p" || path[1].ID != "gc" || path[3].ID != "c1" {
		t.Fatalf("path = %v", path)
	}
	if !tr.Within("c1", "gc") || tr.Within("gcell", "gc") || !tr.Within("gc", "gc") {
		t.Fatal("Within is wrong")
	}
}

func TestTreeChildrenPages(t *testing.T) {
	tr := New(1)
	tr.Set(orgOf("root", "", "Tỉnh", org.Province, org.SectorOther))
	tr.Set(orgOf("gc", "root", "Đảng bộ xã", org.GrassrootsCommittee, org.SectorCommune))
	names := []string{"Ánh", "Bình", "An", "Đông", "Dung", "Chi", "Ân"}
	for i, n := range names {
		tr.Set(orgOf(fmt.Sprint("c", i), "gc", n, org.Cell, org.SectorVillage))
	}
	tr.Set(orgOf("pc", "gc", "Zeta", org.PartialCommittee, org.SectorOther))
	if err := tr.Recount(); err != nil {
		t.Fatal(err)
	}
	var got []string
	q := org.PageQuery{First: 3}
	for {
		page, more, total, err := tr.Children("gc", q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if total != 8 {
			t.Fatalf("total = %d", total)
		}
		for _, o := range page {
			got = append(got, o.Name)
		}
		if !more {
			break
		}
		q.After = org.ChildCursor(&page[len(page)-1])
	}
	// Kind first (partial committee before cells), then folded name, then id
	// ("An" c2 before "Ân" c6, both before "Ánh").
	want := "[Zeta An Ân Ánh Bình Chi Đông Dung]"
	if fmt.Sprint(got) != want {
		t.Fatalf("order = %v, want %v", got, want)
	}
	page, _, total, _ := tr.Children("gc", org.PageQuery{First: 10}, []org.Kind{org.PartialCommittee})
	if total != 1 || len(page) != 1 || page[0].ID != "pc" {
		t.Fatalf("kinds filter: %v %d", page, total)
	}
	if _, _, _, err := tr.Children("gc", org.PageQuery{First: 1, After: "garbage!"}, nil); org.ErrorCode(err) != org.EInvalid {
		t.Fatalf("bad cursor error = %v", err)
	}
	if _, _, _, err := tr.Children("nope", org.PageQuery{First: 1}, nil); org.ErrorCode(err) != org.ENotFound {
		t.Fatalf("unknown id error = %v", err)
	}
}

// TestTreeIncrementalMatchesRebuild applies random moves, renames, removals and
// member changes, and checks after each batch that the incremental counts equal
// those of a tree built from scratch.
func TestTreeIncrementalMatchesRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type state struct {
		org    org.Org
		direct [2]int32
	}
	all := map[string]*state{}
	add := func(o org.Org) { all[o.ID] = &state{org: o} }
	add(orgOf("p", "", "Tỉnh", org.Province, org.SectorOther))
	var districts, grassroots, cells []string
	for i := range 4 {
		id := fmt.Sprint("d", i)
		add(orgOf(id, "p", id, org.District, org.SectorOther))
		districts = append(districts, id)
		for j := range 3 {
			gid := fmt.Sprint(id, "g", j)
			add(orgOf(gid, id, gid, org.GrassrootsCommittee, org.SectorCommune))
			grassroots = append(grassroots, gid)
			for k := range 4 {
				cid := fmt.Sprint(gid, "c", k)
				add(orgOf(cid, gid, cid, org.Cell, org.Sector(rng.IntN(org.NumSectors))))
				cells = append(cells, cid)
				all[cid].direct = [2]int32{rng.Int32N(20), rng.Int32N(3)}
			}
		}
	}
	build := func() *Tree {
		tr := New(1)
		for _, s := range all {
			tr.Set(s.org)
			tr.SetDirect(s.org.ID, s.direct[0], s.direct[1])
		}
		if err := tr.Recount(); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	live := build()
	for round := range 200 {
		for range 1 + rng.IntN(4) {
			switch rng.IntN(5) {
			case 0: // move a grassroots committee to another district or the province
				s := all[grassroots[rng.IntN(len(grassroots))]]
				s.org.ParentID = append(districts, "p")[rng.IntN(len(districts)+1)]
				live.Set(s.org)
			case 1: // move a cell to another grassroots committee
				s := all[cells[rng.IntN(len(cells))]]
				s.org.ParentID = grassroots[rng.IntN(len(grassroots))]
				live.Set(s.org)
			case 2: // rename or re-sector a cell
				s := all[cells[rng.IntN(len(cells))]]
				s.org.Name = fmt.Sprint("r", rng.IntN(100))
				s.org.Sector = org.Sector(rng.IntN(org.NumSectors))
				live.Set(s.org)
			case 3: // members join or leave
				s := all[cells[rng.IntN(len(cells))]]
				s.direct = [2]int32{rng.Int32N(20), rng.Int32N(3)}
				live.SetDirect(s.org.ID, s.direct[0], s.direct[1])
			case 4: // a grassroots committee changes kind
				s := all[grassroots[rng.IntN(len(grassroots))]]
				if s.org.Kind == org.GrassrootsCommittee {
					s.org.Kind = org.GrassrootsCell
				} else {
					s.org.Kind = org.GrassrootsCommittee
				}
				live.Set(s.org)
			}
		}
		if err := live.Recount(); err != nil {
			t.Fatal(err)
		}
		fresh := build()
		for id := range all {
			a, _ := live.Get(id)
			b, _ := fresh.Get(id)
			if a.Counts != b.Counts {
				t.Fatalf("round %d: %s incremental %+v, rebuilt %+v", round, id, a.Counts, b.Counts)
			}
			pa, pb := fmt.Sprint(live.Path(id)), fmt.Sprint(fresh.Path(id))
			if pa != pb {
				t.Fatalf("round %d: path of %s differs", round, id)
			}
		}
	}
}

func TestTreeCycle(t *testing.T) {
	tr := New(1)
	tr.Set(orgOf("a", "b", "A", org.Province, 0))
	tr.Set(orgOf("b", "a", "B", org.Province, 0))
	tr.Set(orgOf("root", "", "R", org.Province, 0))
	if err := tr.Recount(); err == nil {
		// Neither a nor b is a root, so neither is reachable; a cycle must be reported.
		t.Fatal("cycle not reported")
	}
}

// BenchmarkChildrenPage: a page of a district's 1,000 grassroots
// organisations, of the sizes clients ask (a chart's 50, the largest 500).
func BenchmarkChildrenPage(b *testing.B) {
	tr := New(org.DateFrom(2021, 1, 1))
	tr.Set(orgOf("p", "", "Đảng bộ tỉnh", org.Province, org.SectorOther))
	for i := range 1000 {
		tr.Set(orgOf(fmt.Sprintf("g%04d", i), "p", fmt.Sprintf("Đảng bộ xã %04d", i), org.GrassrootsCommittee, org.SectorCommune))
	}
	if err := tr.Recount(); err != nil {
		b.Fatal(err)
	}
	for _, first := range []int{50, org.MaxPageSize} {
		b.Run(fmt.Sprint(first), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if page, _, _, err := tr.Children("p", org.PageQuery{First: first}, nil); err != nil || len(page) != first {
					b.Fatal(len(page), err)
				}
			}
		})
	}
}
