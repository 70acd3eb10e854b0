package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// testYearlyFactsAfterLateMoves: ratings and thematic meetings are what a
// decision recorded on its effective date, and a read as of an earlier date
// does not show them. Generated worlds: cells of a commune rated (the cell
// and a member) and their meetings recorded by the commune, renamed by it
// later, then moved to another commune by a late decision dated before the
// rename; the new owner rates them again for the same year, and records
// their meetings, on later dates of that year. The former owner's viewer
// reads everything it may (its organisations and members on every date of
// the year, its chart, statistics and every breakdown, findings, the members'
// export, its history with each change's records before and after) exactly
// as before the new owner's decisions: it never sees them. On the dates the
// cells were its own it reads its own ratings, replaced or not. Then the
// former owner records a late rating of a member dated before the move: the
// records of that change, as a viewer reads them, hold nothing decided after
// it (one who works everywhere reads them as recorded).
func testYearlyFactsAfterLateMoves(t *testing.T, f *fixture) {
	f.importVinhPhuc()
	v := org.View{At: afterDemo}
	from, to := f.orgNamed(v, "Đảng bộ xã Tam Hồng"), f.orgNamed(v, "Đảng bộ xã Bạch Lưu")
	province := f.orgNamed(v, "Đảng bộ tỉnh Vĩnh Phúc").ID
	viewer := f.as([]org.AccessRole{org.Viewer}, from.ID)
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 27), 27))
	year := afterDemo.Year() + 1
	jan := org.DateFrom(year, time.January, 1)
	children, err := f.s.Children(f.ctx, v, from.ID, org.PageQuery{First: 50}, []org.Kind{org.Cell})
	if err != nil || len(children.Orgs) < 4 {
		t.Fatalf("cells of %s: %+v, %v", from.Name, children, err)
	}
	type moved struct {
		cell, member         string
		rated, move, newRate org.Date
		grade                org.Grade
		meetings             int
	}
	var cells []moved
	var dates []org.Date
	for i, k := range rng.Perm(len(children.Orgs))[:3] {
		c := moved{cell: children.Orgs[k].ID, grade: org.Grade(rng.IntN(int(org.NumGrades))), meetings: 1 + i}
		c.rated = jan + org.Date(rng.IntN(60))
		c.move = c.rated + 1 + org.Date(rng.IntN(90))
		c.newRate = c.move + 1 + org.Date(rng.IntN(120))
		page, err := f.s.CellMembers(f.ctx, org.View{At: c.rated}, c.cell, org.PageQuery{First: 1})
		if err != nil || len(page.Members) == 0 {
			t.Fatalf("a member of %s: %+v, %v", c.cell, page, err)
		}
		c.member = page.Members[0].ID
		// The former owner's decisions: ratings, replaced the next day, and meetings.
		for j, g := range []org.Grade{(c.grade + 1) % org.Grade(org.NumGrades), c.grade} {
			on := c.rated + org.Date(j)
			f.must(f.svc.RecordRating(f.ctx, org.Rating{OrgID: c.cell, Year: year, Grade: g}, f.byOn(from.ID, on)))
			f.must(f.svc.RecordRating(f.ctx, org.Rating{MemberID: c.member, Year: year, Grade: g}, f.byOn(from.ID, on)))
		}
		f.must(f.svc.RecordMeetings(f.ctx, c.cell, year, c.meetings, f.byOn(from.ID, c.rated)))
		// Renamed by it after the date the move is then decided for.
		f.must(f.svc.RenameOrg(f.ctx, c.cell, fmt.Sprintf("Chi bộ Đổi Tên %d", i), f.byOn(from.ID, c.move+3)))
		f.must(f.svc.TransferOrg(f.ctx, c.cell, to.ID, f.byOn(province, c.move)))
		cells = append(cells, c)
		dates = append(dates, c.rated-1, c.rated, c.rated+1, c.move-1, c.move, c.newRate-1, c.newRate)
	}
	for d := jan; d.Year() == year; d += 30 {
		dates = append(dates, d)
	}
	dates = append(dates, org.DateFrom(year, time.December, 31), org.DateFrom(year+1, time.June, 1))

	// On the days before the move the former owner reads its own decisions.
	for _, c := range cells {
		for _, d := range []org.Date{c.rated + 1, c.move - 1} {
			o, err := f.svc.Org(viewer, org.View{At: d}, c.cell)
			m, err2 := f.svc.Member(viewer, org.View{At: d}, c.member)
			want := []org.YearRating{{Year: year, Grade: c.grade, On: c.rated + 1}}
			if err != nil || err2 != nil || !slices.Equal(o.Ratings, want) || !slices.Equal(m.Ratings, want) ||
				len(o.Meetings) != 1 || o.Meetings[0].Count != c.meetings {
				t.Fatalf("the former owner's viewer as of %s reads the cell's ratings %+v and meetings %+v, the member's %+v (%v, %v); want %+v and %d meetings",
					d, o.Ratings, o.Meetings, m.Ratings, err, err2, want, c.meetings)
			}
		}
	}
	before := f.formerOwnerReads(viewer, from.ID, year, dates)

	// The new owner's decisions, later in the same year.
	for i, c := range cells {
		g := (c.grade + 2) % org.Grade(org.NumGrades)
		f.must(f.svc.RecordRating(f.ctx, org.Rating{OrgID: c.cell, Year: year, Grade: g}, f.byOn(to.ID, c.newRate)))
		f.must(f.svc.RecordRating(f.ctx, org.Rating{MemberID: c.member, Year: year, Grade: g}, f.byOn(to.ID, c.newRate)))
		f.must(f.svc.RecordMeetings(f.ctx, c.cell, year, 100+i, f.byOn(to.ID, c.newRate)))
		if o, err := f.svc.Org(f.ctx, org.View{At: c.newRate}, c.cell); err != nil || len(o.Ratings) != 1 || o.Ratings[0].Grade != g || o.Meetings[0].Count != 100+i {
			t.Fatalf("as of the new owner's decisions the cell reads %+v, %+v (%v)", o.Ratings, o.Meetings, err)
		}
	}
	after := f.formerOwnerReads(viewer, from.ID, year, dates)
	if before != after {
		t.Fatalf("the former owner's viewer reads the new owner's later decisions:\n%s", firstDifferingLine(after, before))
	}

	// A late decision of the former owner on a member it held: the records
	// of that change stop at its date.
	c := cells[0]
	late, err := f.svc.RecordRating(f.ctx, org.Rating{MemberID: c.member, Year: year - 1, Grade: org.Good}, f.byOn(from.ID, c.move-1))
	if err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []context.Context{viewer, f.as([]org.AccessRole{org.Viewer}, province)} {
		page, err := f.svc.Changes(ctx, org.ChangeQuery{Within: from.ID, Since: late.EffectiveOn, Until: late.EffectiveOn + 1, First: 100})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ch := range page.Changes {
			found = found || ch.Seq == late.Seq
			checkDecidedBy(t, ch)
		}
		if !found {
			t.Fatalf("the late rating %d is not in the former owner's history: %+v", late.Seq, page.Changes)
		}
	}
}

// must fails the test on an operation's error.
func (f *fixture) must(_ org.Change, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// formerOwnerReads is everything the caller of ctx reads of organisation id
// on each of dates, as JSON: its subtree's organisations and members, its
// chart, its statistics of year and the year before, its findings, its
// members' export, and its whole history with each change's records.
func (f *fixture) formerOwnerReads(c context.Context, id string, year int, dates []org.Date) string {
	t := f.t
	t.Helper()
	var out []any
	add := func(what string, v any, err error) {
		out = append(out, map[string]any{what: v, "error": org.ErrorCode(err)})
	}
	for _, d := range dates {
		v := org.View{At: d}
		nodes, err := f.svc.ChartNodes(c, v, org.ChartQuery{RootID: id, Depth: -1}, 10000)
		add("chart "+d.String(), nodes, err)
		var ids []string
		for _, n := range nodes {
			ids = append(ids, n.ID)
			page, err := f.svc.CellMembers(c, v, n.ID, org.PageQuery{First: 500})
			add("members of "+n.ID, page, err)
		}
		orgs, err := f.svc.Orgs(c, v, ids)
		add("orgs", orgs, err)
		for _, y := range []int{year - 1, year} {
			st, err := f.svc.ExportStatistics(c, v, id, y)
			add(fmt.Sprint("statistics ", y), st, err)
		}
		found, err := f.svc.Violations(c, v, id, true, org.SeverityInfo)
		add("findings", found, err)
		var members []org.Member
		err = f.svc.ExportMembers(c, v, id, org.MemberQuery{Subtree: true}, func(ms []org.Member, _ map[string]string) error {
			members = append(members, ms...)
			return nil
		})
		add("export", members, err)
	}
	q := org.ChangeQuery{Within: id, First: org.MaxPageSize}
	for {
		page, err := f.svc.Changes(c, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range page.Changes {
			checkDecidedBy(t, ch)
		}
		add("history", page.Changes, nil)
		if !page.HasNext {
			break
		}
		q.After = org.ChangeCursor(&page.Changes[len(page.Changes)-1])
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkDecidedBy fails when a record of change ch holds a rating or meetings
// decided after its effective date.
func checkDecidedBy(t *testing.T, ch org.Change) {
	t.Helper()
	for _, rec := range append(append([]org.Record(nil), ch.Before...), ch.After...) {
		var ratings []org.YearRating
		var meetings []org.YearCount
		if rec.Org != nil {
			ratings, meetings = rec.Org.Ratings, rec.Org.Meetings
		}
		if rec.Member != nil {
			ratings = rec.Member.Ratings
		}
		for _, r := range ratings {
			if r.Decided() > ch.EffectiveOn {
				t.Errorf("change %d (%s, %s) holds a rating decided on %s: %+v", ch.Seq, ch.Type, ch.EffectiveOn, r.Decided(), rec.ID())
			}
		}
		for _, m := range meetings {
			if m.Decided() > ch.EffectiveOn {
				t.Errorf("change %d (%s, %s) holds meetings decided on %s: %+v", ch.Seq, ch.Type, ch.EffectiveOn, m.Decided(), rec.ID())
			}
		}
	}
}

// firstDifferingLine is the first line where got and want differ, with a
// few lines before it.
func firstDifferingLine(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			from := max(0, i-8)
			return fmt.Sprintf("line %d, after\n%s\n got %.300s\nwant %.300s", i, strings.Join(g[from:i], "\n"), g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

// testEndedAsOf: an organisation read as of a date shows its end only on its
// last day; before, the end was decided later, here by the committee it
// moved to, whose decisions the former owner's viewer may not read.
func testEndedAsOf(t *testing.T, f *fixture) {
	c := f.commune()
	moved, ended := today+10, today+40
	f.must(f.svc.TransferOrg(f.ctx, c.village2.ID, c.agency.ID, f.byOn(c.province.ID, moved)))
	f.must(f.svc.DissolveOrg(f.ctx, c.village2.ID, org.Destination{}, f.byOn(c.agency.ID, ended)))
	viewer := f.as([]org.AccessRole{org.Viewer}, c.commune.ID)
	for _, read := range []struct {
		ctx  context.Context
		at   org.Date
		want org.Date
	}{{viewer, today, org.Forever}, {viewer, moved - 1, org.Forever}, {f.ctx, moved, org.Forever}, {f.ctx, ended - 2, org.Forever}, {f.ctx, ended - 1, ended}} {
		v := org.View{At: read.at}
		o, err := f.svc.Org(read.ctx, v, c.village2.ID)
		if err != nil || o.EndedOn != read.want {
			t.Errorf("as of %s the cell ends %s (%v), want %s", read.at, o.EndedOn, err, read.want)
		}
		nodes, err := f.svc.ChartNodes(read.ctx, v, org.ChartQuery{RootID: o.ParentID, Depth: 1}, 100)
		if i := slices.IndexFunc(nodes, func(n org.ChartNode) bool { return n.ID == c.village2.ID }); err != nil || i < 0 || nodes[i].EndedOn != read.want {
			t.Errorf("as of %s the chart of %s: %+v (%v), want the cell ending %s", read.at, o.ParentID, nodes, err, read.want)
		}
	}
}
