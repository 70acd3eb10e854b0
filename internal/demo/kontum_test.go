package demo

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"dangbo/internal/org"
)

const konTumName = "Đảng bộ tỉnh Kon Tum"

// konTumCensus counts Kon Tum on a date of its history.
func konTumCensus(d *Dataset, at org.Date) (*census, org.Org) {
	c := newCensusAt(d, d.Province(konTumName), at)
	for _, r := range c.tree.Roots() {
		if r.Name == konTumName {
			return c, r
		}
	}
	panic("no Kon Tum on " + at.String())
}

// konTumChanges counts Kon Tum's changes by type, those effective from the
// history's start to its end (the window of the source articles), as a ChangeQuery within
// the province would.
func konTumChanges(d *Dataset, root string) org.ChangeCounts {
	q := org.ChangeQuery{Within: root, Since: konTumStart, Until: konTumEnd.AddDays(1)}
	var n org.ChangeCounts
	for i := range d.Changes {
		if q.Matches(&d.Changes[i]) {
			n[d.Changes[i].Type]++
		}
	}
	return n
}

// checkKonTumFigures checks the figures of the source articles and the demo's own.
func checkKonTumFigures(t *testing.T, d *Dataset) {
	t.Helper()
	_, eve := konTumCensus(d, konTumStart.AddDays(-1))
	_, first := konTumCensus(d, konTumStart)
	end, last := konTumCensus(d, konTumEnd)
	if first.ID != last.ID {
		t.Fatal("Kon Tum is another organisation at the end")
	}
	n := konTumChanges(d, first.ID)
	if n[org.ChangeEstablished] != 232 || n[org.ChangeDissolved] != 225 || n[org.ChangeMerged] != 198 ||
		n[org.ChangeAdmitted] != 6225 {
		t.Errorf("established %d, dissolved %d, merged %d, admitted %d; want 232, 225, 198, 6,225",
			n[org.ChangeEstablished], n[org.ChangeDissolved], n[org.ChangeMerged], n[org.ChangeAdmitted])
	}
	homes := func(k org.Counts) int32 {
		return k.CellsBySector[org.SectorVillage] + k.CellsBySector[org.SectorResidentialGroup]
	}
	k0, k1 := first.Counts, last.Counts
	if k0.ByKind[org.District] != 10 || k1.ByKind[org.District] != 10 {
		t.Errorf("%d, then %d district-level units; want 10", k0.ByKind[org.District], k1.ByKind[org.District])
	}
	if homes(k0) != 874 || homes(k1) != 756 {
		t.Errorf("villages and residential groups: %d, then %d; want 874, then 756", homes(k0), homes(k1))
	}
	if k0.ByKind[org.Cell] != 2413 || k1.ByKind[org.Cell] != 2276 {
		t.Errorf("cells: %d, then %d; want 2,413, then 2,276", k0.ByKind[org.Cell], k1.ByKind[org.Cell])
	}
	// The plan holds the members of the eve of the history; the first day's
	// admissions follow.
	if k := eve.Counts; k.Members() != 20800 || k.Probationary != 1150 || k1.Members() != 26425 ||
		homes(k) != 874 || k.ByKind[org.Cell] != 2413 {
		t.Errorf("members: %d (%d probationary), then %d; want 20,800 (1,150), then 26,425",
			k.Members(), k.Probationary, k1.Members())
	}
	if k1.Members() < 24000 || k1.Members() > 28000 {
		t.Errorf("%d members at the end", k1.Members())
	}
	heads := 0
	for i := range end.Members {
		for _, r := range end.Members[i].Roles {
			if o, ok := end.tree.Get(r.OrgID); ok && r.Holds(konTumEnd) && r.Role == org.Secretary && r.HeadOfUnit &&
				o.Sector.IsResidential() {
				heads++
			}
		}
	}
	if heads != 280 {
		t.Errorf("%d village secretaries head their village, want 280", heads)
	}
}

func TestKonTumFigures(t *testing.T) {
	checkKonTumFigures(t, demoData())
	c, kt := konTumCensus(demoData(), konTumEnd)
	page, _, _, _ := c.tree.Children(kt.ID, org.PageQuery{First: 100}, nil)
	var names []string
	for _, o := range page {
		names = append(names, o.Name)
	}
	slices.Sort(names)
	want := []string{"Đảng bộ huyện Ia H'Drai", "Đảng bộ huyện Kon Plông", "Đảng bộ huyện Kon Rẫy",
		"Đảng bộ huyện Ngọc Hồi", "Đảng bộ huyện Sa Thầy", "Đảng bộ huyện Tu Mơ Rông", "Đảng bộ huyện Đắk Glei",
		"Đảng bộ huyện Đắk Hà", "Đảng bộ huyện Đắk Tô", "Đảng bộ thành phố Kon Tum"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("district-level units %q", names)
	}
}

// TestKonTumOtherSeed: the figures hold for another seed.
func TestKonTumOtherSeed(t *testing.T) {
	checkKonTumFigures(t, otherData())
}

// TestKonTumPlaces: villages are thôn or làng in the communes and tổ dân phố
// in the towns; the minorities are there.
func TestKonTumPlaces(t *testing.T) {
	c, _ := konTumCensus(demoData(), konTumStart)
	words := map[string]int{}
	for i := range c.Orgs {
		o, ok := c.tree.Get(c.Orgs[i].ID)
		if !ok || !o.Sector.IsResidential() {
			continue
		}
		parent, _ := c.tree.Get(o.ParentID)
		word, _, _ := strings.Cut(strings.TrimPrefix(o.Name, "Chi bộ "), " ")
		switch {
		case o.Sector == org.SectorVillage && parent.Sector == org.SectorCommune && (word == "thôn" || word == "làng"):
		case o.Sector == org.SectorResidentialGroup && parent.Sector != org.SectorCommune && strings.HasPrefix(o.Name, "Chi bộ tổ dân phố "):
			word = "tổ dân phố"
		default:
			t.Fatalf("%s %q under %q", o.Sector, o.Name, parent.Name)
		}
		words[word]++
	}
	if words["thôn"] < 200 || words["làng"] < 100 || words["tổ dân phố"] < 100 {
		t.Errorf("villages %v", words)
	}
	peoples := map[string]int{}
	for i := range c.all.Members {
		peoples[c.all.Members[i].Personal.Ethnicity]++
	}
	for _, p := range []string{"Kinh", "Xơ Đăng", "Ba Na", "Giẻ Triêng", "Gia Rai", "Brâu", "Rơ Măm"} {
		if peoples[p] == 0 {
			t.Errorf("no member of the %s", p)
		}
	}
}

// TestKonTumHistoryConsistency: the changes agree with each other and with the
// records, as changes written by the domain's operations do.
func TestKonTumHistoryConsistency(t *testing.T) {
	d := demoData()
	orgs := map[string]*org.OrgRecord{}
	for i := range d.Orgs {
		orgs[d.Orgs[i].ID] = &d.Orgs[i]
	}
	members := map[string]*org.MemberRecord{}
	for i := range d.Members {
		members[d.Members[i].ID] = &d.Members[i]
	}
	type decision struct{ issuer, number string }
	decisions := map[decision]org.Date{} // one decision may order several changes (a merger and the links it moves)
	last := map[string]org.Record{}      // each record as the last change left it
	for i := range d.Changes {
		c := &d.Changes[i]
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has seq %d", i, c.Seq)
		}
		for _, id := range c.Subjects {
			if id != "" && orgs[id] == nil && members[id] == nil {
				t.Fatalf("change %d: subject %q does not exist", c.Seq, id)
			}
		}
		for _, id := range c.Scope {
			if orgs[id] == nil {
				t.Fatalf("change %d: scope %q is no organisation", c.Seq, id)
			}
		}
		k := decision{c.Decision.IssuerID, c.Decision.Number}
		if signed, ok := decisions[k]; ok && signed != c.Decision.Date || orgs[k.issuer] == nil || c.Decision.Date == 0 || c.Decision.Date > c.EffectiveOn || c.Actor != "demo" {
			t.Fatalf("change %d: decision %+v of %s by %q", c.Seq, c.Decision, c.EffectiveOn, c.Actor)
		}
		decisions[k] = c.Decision.Date
		if c.EffectiveOn < konTumStart || c.EffectiveOn > End {
			if orgs[c.Subjects[0]] == nil || orgs[c.Subjects[0]].Versions[0].Name != "Chi bộ Ban Quản lý Khu kinh tế Vân Đồn" {
				t.Fatalf("change %d effective %s", c.Seq, c.EffectiveOn)
			}
		}

		// Each record a change read is as the previous change left it (the
		// store bumping its rev); one never written before is as imported.
		for _, r := range c.Before {
			id, rev, rec := recordOf(r)
			if prev, ok := last[id]; ok {
				_, prevRev, prevRec := recordOf(prev)
				if rev != prevRev+1 || !reflect.DeepEqual(withRev(rec, 0), withRev(prevRec, 0)) {
					t.Fatalf("change %d: %s before it is not as change %d left it", c.Seq, id, c.Seq-1)
				}
			} else if rev != 0 {
				t.Fatalf("change %d: %s read with rev %d", c.Seq, id, rev)
			}
		}
		for _, r := range c.After {
			id, _, _ := recordOf(r)
			last[id] = r
		}

		// What each kind of change must have done.
		switch c.Type {
		case org.ChangeMerged, org.ChangeDissolved:
			ended := c.Subjects[1:]
			if c.Type == org.ChangeDissolved {
				ended = c.Subjects[:1]
			}
			for _, id := range ended {
				if orgs[id].Ended() != c.EffectiveOn {
					t.Fatalf("change %d: %s ends %s", c.Seq, id, orgs[id].Ended())
				}
			}
		case org.ChangeEstablished:
			if o := orgs[c.Subjects[0]]; o.Established() != c.EffectiveOn || o.Versions[0].ParentID != c.Subjects[1] ||
				c.Decision.IssuerID != c.Subjects[1] {
				t.Fatalf("change %d: establishment of %s", c.Seq, c.Subjects[0])
			}
		case org.ChangeAdmitted:
			m := members[c.Subjects[0]]
			cell, _ := orgs[c.Subjects[1]].At(c.EffectiveOn)
			if m.AdmittedOn != c.EffectiveOn || m.Stints[0].Since != c.EffectiveOn || m.Stints[0].CellID != c.Subjects[1] ||
				c.Decision.IssuerID != cell.ParentID || len(c.Before) != 0 || len(c.After) != 1 {
				t.Fatalf("change %d: admission of %s", c.Seq, m.ID)
			}
		case org.ChangeConfirmed:
			if m := members[c.Subjects[0]]; m.OfficialOn == nil || *m.OfficialOn != c.EffectiveOn {
				t.Fatalf("change %d: confirmation of %s", c.Seq, m.ID)
			}
		}
	}
	// Each record ends as the last change left it.
	for id, r := range last {
		_, rev, rec := recordOf(r)
		var final any
		if o := orgs[id]; o != nil {
			final = o
		} else {
			final = members[id]
		}
		_, finalRev, finalRec := recordOf(asRecord(final))
		if finalRev != rev+1 || !reflect.DeepEqual(withRev(rec, 0), withRev(finalRec, 0)) {
			t.Fatalf("%s is not as its last change left it", id)
		}
	}
	// No one is tied to an organisation after it ended.
	for i := range d.Members {
		m := &d.Members[i]
		tied := func(id string, s org.Span) {
			if o := orgs[id]; s.Until > o.Ended() {
				t.Fatalf("member %s tied to %s until %s, which ended %s", m.ID, id, s.Until, o.Ended())
			}
		}
		for _, s := range m.Stints {
			tied(s.CellID, s.Span)
		}
		for _, s := range m.Residences {
			tied(s.CellID, s.Span)
		}
		for _, s := range m.Roles {
			tied(s.OrgID, s.Span)
		}
	}
}

func asRecord(x any) org.Record {
	switch x := x.(type) {
	case *org.OrgRecord:
		return org.Record{Org: x}
	case *org.MemberRecord:
		return org.Record{Member: x}
	}
	panic("not a record")
}

// recordOf is a record's id, rev and the record itself.
func recordOf(r org.Record) (string, int64, any) {
	if r.Org != nil {
		return r.Org.ID, r.Org.Rev, *r.Org
	}
	return r.Member.ID, r.Member.Rev, *r.Member
}

func withRev(rec any, rev int64) any {
	switch r := rec.(type) {
	case org.OrgRecord:
		r.Rev = rev
		return r
	case org.MemberRecord:
		r.Rev = rev
		return r
	}
	return rec
}

// TestKonTumRules: on the history's first and last day the Charter's rules
// hold as they do in Quảng Ninh: cells with three official members, grassroots
// cells under 30 members and committees from 30, one secretary to a cell,
// leaders within their cell's line, residence links to other, residential cells.
func TestKonTumRules(t *testing.T) {
	for _, at := range []org.Date{konTumStart, konTumEnd} {
		c, kt := konTumCensus(demoData(), at)
		secretaries := map[string]int{}
		for i := range c.Members {
			m := &c.Members[i]
			cell := m.CellOn(at)
			for _, r := range m.Roles {
				if !r.Holds(at) {
					continue
				}
				if cell == "" || !c.tree.Within(cell, r.OrgID) || m.StatusOn(r.Since) != org.Official {
					t.Fatalf("%s: member %s holds %s in %s outside their cell's line", at, m.ID, r.Role, r.OrgID)
				}
				if r.Role == org.Secretary {
					secretaries[r.OrgID]++
				}
			}
			if home := m.ResidenceOn(at); home != "" {
				o, _ := c.tree.Get(home)
				if err := org.CheckResidence(&o, cell); err != nil {
					t.Fatalf("%s: member %s: %v", at, m.ID, err)
				}
			}
			if b := m.Personal.BirthDate; b.AddYears(18) > m.AdmittedOn {
				t.Fatalf("member %s born %s admitted %s", m.ID, b, m.AdmittedOn)
			}
			if cell != "" && m.StatusOn(at) == org.Probationary && m.AdmittedOn < at.AddYears(-1).AddDays(-45) {
				t.Fatalf("%s: member %s admitted %s still on probation", at, m.ID, m.AdmittedOn)
			}
		}
		for _, o := range c.subtree(kt.ID) {
			k := o.Counts
			switch {
			case o.Kind.IsCell() && k.DirectOfficial < 3:
				t.Errorf("%s: %q has %d official members (R1)", at, o.Name, k.DirectOfficial)
			case o.Kind == org.GrassrootsCell && k.Members() >= 30:
				t.Errorf("%s: grassroots cell %q has %d members (R2)", at, o.Name, k.Members())
			case o.Kind == org.GrassrootsCommittee && (k.Members() < 30 || k.ByKind[org.Cell] < 3):
				t.Errorf("%s: grassroots committee %q has %d members, %d cells", at, o.Name, k.Members(), k.ByKind[org.Cell])
			case o.Kind.IsCell() && secretaries[o.ID] != 1:
				t.Errorf("%s: %q has %d secretaries", at, o.Name, secretaries[o.ID])
			}
		}
	}
}

// TestHistoryVerifies: the history the domain's operations wrote agrees
// with the records on every month of it, as the domain promises of any store
// (org.VerifyHistory).
func TestHistoryVerifies(t *testing.T) {
	d := demoData()
	recs := make([]org.Record, 0, len(d.Orgs)+len(d.Members))
	for i := range d.Orgs {
		recs = append(recs, org.Record{Org: &d.Orgs[i]})
	}
	for i := range d.Members {
		recs = append(recs, org.Record{Member: &d.Members[i]})
	}
	var dates []org.Date
	for at := konTumStart.AddDays(-1); at <= konTumEnd.AddDays(1); at = at.AddDays(30) {
		dates = append(dates, at, at+1)
	}
	if err := org.VerifyHistory(recs, d.Changes, dates); err != nil {
		t.Fatal(err)
	}
}
