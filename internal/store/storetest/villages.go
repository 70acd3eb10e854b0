package storetest

import (
	"reflect"
	"testing"

	"dangbo/internal/org"
)

// testVillagesAndMeetings: a village head (VILLAGE_HEAD) is a dated role held
// by a member of the village's cell or of another who lives there, assigned
// and ended by decision, listed, filtered and counted by village; a cell's
// thematic meetings are recorded per year by decision and counted by cell.
// What is refused writes nothing.
func testVillagesAndMeetings(t *testing.T, f *fixture) {
	c := f.commune()
	secretary := f.createMember(c.village.ID, "Nguyễn Văn Bí", org.Official)
	villager := f.createMember(c.village2.ID, "Trần Văn Trưởng", org.Official)
	teacher := f.createMember(c.school.ID, "Lê Thị Giáo", org.Official)
	official := f.createMember(c.agencyCell.ID, "Phạm Văn Công", org.Official)
	if _, err := f.svc.AssignRole(f.ctx, secretary.ID, c.village.ID, org.Secretary, false, f.by(c.commune.ID)); err != nil {
		t.Fatal(err)
	}

	for _, refused := range []struct{ member, cell string }{
		{teacher.ID, c.school.ID},    // a school is no village
		{teacher.ID, c.village.ID},   // she neither belongs to nor lives in it
		{official.ID, c.village.ID},  // nor does he, yet
		{secretary.ID, c.commune.ID}, // a commune is no cell
	} {
		f.refused(t, c.province.ID, org.EInvalid, "", func() (org.Change, error) {
			return f.svc.AssignRole(f.ctx, refused.member, refused.cell, org.VillageHead, false, f.by(c.commune.ID))
		})
	}
	f.refused(t, c.province.ID, org.EInvalid, "", func() (org.Change, error) {
		return f.svc.RecordMeetings(f.ctx, c.commune.ID, today.Year(), 4, f.by(c.district.ID))
	})
	f.refused(t, c.province.ID, org.EInvalid, "", func() (org.Change, error) {
		return f.svc.RecordMeetings(f.ctx, c.village.ID, today.Year()+1, 4, f.by(c.commune.ID))
	})

	// The secretary heads their own village; a member of the other village
	// heads it; the official, once linked to the first village where he
	// lives, may head it too (here he does not).
	for _, a := range []struct{ member, cell string }{{secretary.ID, c.village.ID}, {villager.ID, c.village2.ID}} {
		ch, err := f.svc.AssignRole(f.ctx, a.member, a.cell, org.VillageHead, false, f.by(c.commune.ID))
		if err != nil || ch.Type != org.ChangeRoleAssigned {
			t.Fatalf("assigning a village head: %+v, %v", ch, err)
		}
	}
	if _, err := f.svc.SetResidence(f.ctx, official.ID, c.village.ID, f.by(c.agency.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AssignRole(f.ctx, official.ID, c.village.ID, org.VillageHead, false, f.by(c.commune.ID)); err != nil {
		t.Fatalf("a resident heading the village: %v", err)
	}
	if _, err := f.svc.EndRole(f.ctx, official.ID, c.village.ID, org.VillageHead, f.by(c.commune.ID)); err != nil {
		t.Fatal(err)
	}

	v := f.now()
	heads, err := f.svc.SubtreeMembers(f.ctx, v, c.commune.ID, org.MemberQuery{PageQuery: org.PageQuery{First: 10}, Subtree: true,
		Filter: org.MemberFilter{Roles: []org.Role{org.VillageHead}}})
	if err != nil || heads.Total != 2 {
		t.Fatalf("village heads of the commune: %+v, %v", heads, err)
	}
	m, err := f.svc.Member(f.ctx, v, villager.ID)
	if err != nil || len(m.Roles) != 1 || m.Roles[0].Role != org.VillageHead || m.Roles[0].OrgID != c.village2.ID {
		t.Fatalf("the villager's roles: %+v, %v", m.Roles, err)
	}
	count := func(by org.BreakdownBy, year int) map[string]int {
		t.Helper()
		rows, err := f.svc.Breakdown(f.ctx, v, c.province.ID, by, year)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, r := range rows {
			out[r.Key] = r.Count
		}
		return out
	}
	if got, want := count(org.BreakdownVillageHeads, 0), map[string]int{"HEAD_IS_SECRETARY": 1, "HEAD_IS_OTHER_MEMBER": 1, "HEAD_NOT_A_MEMBER": 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("villages by their head: %v, want %v", got, want)
	}

	// Meetings: recorded, replaced, read on the cell and counted by cell.
	for _, n := range []int{3, 5} {
		ch, err := f.svc.RecordMeetings(f.ctx, c.village.ID, today.Year(), n, f.by(c.commune.ID))
		if err != nil || ch.Type != org.ChangeMeetingsRecorded {
			t.Fatalf("recording meetings: %+v, %v", ch, err)
		}
	}
	if _, err := f.svc.RecordMeetings(f.ctx, c.school.ID, today.Year()-1, 2, f.by(c.commune.ID)); err != nil {
		t.Fatal(err)
	}
	if o := f.org(c.village.ID); !reflect.DeepEqual(o.Meetings, []org.YearCount{{Year: today.Year(), Count: 5, On: today}}) {
		t.Errorf("the village's meetings: %+v", o.Meetings)
	}
	// Four cells: both villages, the school and the agency's.
	if got := count(org.BreakdownMeetings, today.Year()); got["HELD"] != 1 || got["NOT_HELD"] != 3 {
		t.Errorf("cells by meetings this year: %v", got)
	}
	if got := count(org.BreakdownMeetings, today.Year()-1); got["HELD"] != 1 {
		t.Errorf("cells by meetings last year: %v", got)
	}

	// An organiser of the bloc may not record another's meetings.
	organiser := f.as([]org.AccessRole{org.Organiser}, c.bloc.ID)
	if _, err := f.svc.RecordMeetings(organiser, c.village.ID, today.Year(), 1, f.by(c.commune.ID)); org.ErrorCode(err) != org.ENotFound {
		t.Errorf("an organiser of the bloc recording the village's meetings: %v", err)
	}
}
