package server

import (
	"encoding"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"dangbo/internal/org"
)

// The office's exports: /export/members, /export/statistics and
// /export/scenario-diff, each as .csv or .xlsx. Headers and values are in
// Vietnamese unless the request asks for codes (codes=1); the reads go
// through the same scoped service calls as GraphQL, and each export is
// audited, refused or not.

// exportOptions are what every export takes besides its own parameters.
type exportOptions struct {
	format sheetFormat
	codes  bool // API names and enum codes instead of Vietnamese
	bom    bool
}

func optionsOf(r *http.Request, f sheetFormat) exportOptions {
	p := r.URL.Query()
	return exportOptions{format: f, codes: p.Get("codes") == "1", bom: p.Get("bom") != "0"}
}

// pick is the Vietnamese label or, with codes, the code.
func (o exportOptions) pick(label, code string) string {
	if o.codes {
		return code
	}
	return label
}

// exportHandler serves export x: run answers the request through sh, which
// it opens itself; an error before the first row is answered as an error,
// and every refusal before run reaches the service is audited here.
func exportHandler(svc *org.Service, x org.Export, target string, f sheetFormat,
	run func(r *http.Request, o exportOptions, open func(name, title string) (sheet, error)) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := optionsOf(r, f)
		var sh sheet
		open := func(name, title string) (sheet, error) {
			var err error
			sh, err = newSheet(w, f, name, title, o.bom)
			return sh, err
		}
		err := run(r, o, open)
		if err == nil && sh != nil {
			err = sh.close()
		}
		if err == nil {
			return
		}
		if _, ok := err.(refused); ok {
			svc.ExportRefused(r.Context(), x, r.URL.Query().Get(target), err)
		}
		if w.Header().Get("Content-Disposition") == "" {
			writeError(w, httpStatus(err), err)
		}
		// Otherwise the file has begun: a failed write is the client gone.
	})
}

// refused marks an error of a request refused before it reached the service.
type refused struct{ error }

func (e refused) Unwrap() error { return e.error }

// exportView is the view an export's asOf or scenario parameter names:
// today's by default.
func exportView(svc *org.Service, r *http.Request) (org.View, error) {
	p := r.URL.Query()
	var asOf *org.Date
	if s := p.Get("asOf"); s != "" {
		d, err := org.ParseDate(s)
		if err != nil {
			return svc.Now(), err
		}
		asOf = &d
	}
	var scenario *string
	if s := p.Get("scenario"); s != "" {
		scenario = &s
	}
	v, ok, err := org.ViewOf(asOf, scenario, func(id string) (org.Scenario, error) { return svc.Scenario(r.Context(), id) })
	if !ok {
		v = svc.Now()
	}
	return v, err
}

// queryParams reads an export's parameters, remembering the first error.
type queryParams struct {
	p   url.Values
	err error
}

func (q *queryParams) fail(format string, args ...any) {
	if q.err == nil {
		q.err = org.Errorf(org.EInvalid, format, args...)
	}
}

func (q *queryParams) int(name string) int {
	s := q.p.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.fail("%s phải là số nguyên, nhận %q", name, s)
	}
	return n
}

func (q *queryParams) date(name string) org.Date {
	s := q.p.Get(name)
	if s == "" {
		return 0
	}
	d, err := org.ParseDate(s)
	if err != nil && q.err == nil {
		q.err = err
	}
	return d
}

func (q *queryParams) bool(name string) *bool {
	switch s := q.p.Get(name); s {
	case "":
		return nil
	case "true", "1":
		t := true
		return &t
	case "false", "0":
		f := false
		return &f
	default:
		q.fail("%s phải là true hoặc false, nhận %q", name, s)
		return nil
	}
}

// list is the values of a parameter given repeated or comma-separated.
func (q *queryParams) list(name string) []string {
	var out []string
	for _, s := range q.p[name] {
		for v := range strings.SplitSeq(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// enums reads a list parameter of enum codes.
func enums[E any, P interface {
	*E
	encoding.TextUnmarshaler
}](q *queryParams, name string) []E {
	var out []E
	for _, s := range q.list(name) {
		var e E
		if err := P(&e).UnmarshalText([]byte(s)); err != nil {
			if q.err == nil {
				q.err = err
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

var memberOrders = map[string]org.MemberOrder{"NAME": org.ByName, "ADMITTED_ON": org.ByAdmission, "BIRTH_DATE": org.ByBirth}

// memberQuery reads the members export's parameters: those of Org.members,
// named alike (rated: ratedYear and rating), the subtree by default.
func memberQuery(p url.Values) (org.MemberQuery, error) {
	q := &queryParams{p: p}
	mq := org.MemberQuery{Subtree: true, Filter: org.MemberFilter{
		Statuses:         enums[org.MemberStatus](q, "status"),
		Genders:          enums[org.Gender](q, "gender"),
		BornFrom:         q.int("bornFrom"),
		BornTo:           q.int("bornTo"),
		Ethnicities:      q.list("ethnicity"),
		Theories:         enums[org.Theory](q, "politicalTheory"),
		AdmittedFrom:     q.date("admittedFrom"),
		AdmittedTo:       q.date("admittedTo"),
		OfficialFrom:     q.date("officialFrom"),
		OfficialTo:       q.date("officialTo"),
		ProbationOverdue: q.bool("probationOverdue"),
		Roles:            enums[org.Role](q, "role"),
		RatedYear:        q.int("ratedYear"),
		Grades:           enums[org.Grade](q, "rating"),
		HasResidence:     q.bool("hasResidence"),
		ResidenceWithin:  p.Get("residenceWithin"),
	}}
	if s := q.bool("subtree"); s != nil {
		mq.Subtree = *s
	}
	if s := p.Get("orderBy"); s != "" {
		o, ok := memberOrders[s]
		if !ok {
			q.fail("orderBy phải là NAME, ADMITTED_ON hoặc BIRTH_DATE, nhận %q", s)
		}
		mq.Order = o
	}
	for i, s := range mq.Filter.Ethnicities {
		mq.Filter.Ethnicities[i] = norm.NFC.String(s)
	}
	return mq, q.err
}

// exportMembers serves GET /export/members.{csv,xlsx}?org=…&<filters>: every
// member of the subtree that the filters select, in the order asked.
func exportMembers(svc *org.Service, f sheetFormat) http.Handler {
	return exportHandler(svc, org.ExportMembers, "org", f, func(r *http.Request, o exportOptions, open func(string, string) (sheet, error)) error {
		p := r.URL.Query()
		id := p.Get("org")
		if id == "" {
			return refused{org.Errorf(org.EInvalid, "thiếu tham số org (id của tổ chức)")}
		}
		q, err := memberQuery(p)
		if err != nil {
			return refused{err}
		}
		v, err := exportView(svc, r)
		if err != nil {
			return refused{err}
		}
		year := q.Filter.RatedYear
		if year == 0 {
			year = v.At.Year() - 1
		}
		var sh sheet
		start := func() error {
			if sh != nil {
				return nil
			}
			var err error
			if sh, err = open(exportName("dang-vien", id, v), "Đảng viên"); err != nil {
				return err
			}
			return sh.row(memberHeader(o, year)...)
		}
		err = svc.ExportMembers(r.Context(), v, id, q, func(ms []org.Member, names map[string]string) error {
			if err := start(); err != nil {
				return err
			}
			for i := range ms {
				if err := sh.row(memberRow(o, &ms[i], names, year)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return start()
	})
}

// exportName is an export's file name: what, of which organisation, when.
func exportName(what, id string, v org.View) string {
	name := what + "-" + id + "-" + v.At.String()
	if v.Scenario != "" {
		name += "-" + v.Scenario
	}
	return name
}

func memberHeader(o exportOptions, year int) []any {
	if o.codes {
		return []any{"id", "fullName", "gender", "status", "admittedOn", "officialOn", "politicalTheory",
			"cellId", "cell", "residenceCellId", "residenceCell", "roles", "rating" + strconv.Itoa(year),
			"birthDate", "ethnicity", "phone", "email", "address"}
	}
	return []any{"Mã đảng viên", "Họ và tên", "Giới tính", "Tình trạng", "Ngày kết nạp", "Ngày chính thức",
		"Trình độ lý luận chính trị", "Mã chi bộ", "Chi bộ", "Mã chi bộ nơi cư trú", "Chi bộ nơi cư trú",
		"Chức vụ", fmt.Sprintf("Xếp loại năm %d", year), "Ngày sinh", "Dân tộc", "Điện thoại", "Email", "Địa chỉ"}
}

func memberRow(o exportOptions, m *org.Member, names map[string]string, year int) []any {
	roles := make([]string, len(m.Roles))
	for i, t := range m.Roles {
		if o.codes {
			roles[i] = t.Role.String() + "@" + t.OrgID
		} else {
			roles[i] = t.Role.Label() + " " + names[t.OrgID]
		}
		if t.HeadOfUnit {
			roles[i] += o.pick(" (đồng thời là thủ trưởng)", "+HEAD")
		}
	}
	rating := ""
	for _, r := range m.Ratings {
		if r.Year == year {
			rating = o.pick(r.Grade.Label(), r.Grade.String())
		}
	}
	pd := &m.Personal
	return []any{m.ID, m.FullName, o.pick(m.Gender.Label(), m.Gender.String()), o.pick(m.Status.Label(), m.Status.String()),
		m.AdmittedOn, m.OfficialOn, o.pick(m.Theory.Label(), m.Theory.String()),
		m.CellID, names[m.CellID], m.ResidenceCellID, names[m.ResidenceCellID], strings.Join(roles, "; "), rating,
		pd.BirthDate, pd.Ethnicity, pd.Phone, pd.Email, pd.Address}
}

// exportStatistics serves GET /export/statistics.{csv,xlsx}?org=…[&year=…]:
// the subtree's counts and every breakdown the caller may read.
func exportStatistics(svc *org.Service, f sheetFormat) http.Handler {
	return exportHandler(svc, org.ExportStatistics, "org", f, func(r *http.Request, o exportOptions, open func(string, string) (sheet, error)) error {
		p := r.URL.Query()
		id := p.Get("org")
		q := &queryParams{p: p}
		year := q.int("year")
		switch {
		case id == "":
			return refused{org.Errorf(org.EInvalid, "thiếu tham số org (id của tổ chức)")}
		case q.err != nil:
			return refused{q.err}
		}
		v, err := exportView(svc, r)
		if err != nil {
			return refused{err}
		}
		rep, err := svc.ExportStatistics(r.Context(), v, id, year)
		if err != nil {
			return err
		}
		sh, err := open(exportName("thong-ke", id, v), "Thống kê")
		if err != nil {
			return err
		}
		return writeStatistics(sh, o, &rep)
	})
}

func writeStatistics(sh sheet, o exportOptions, rep *org.StatisticsReport) error {
	rows := [][]any{{o.pick("Mục", "section"), o.pick("Chỉ tiêu", "key"), o.pick("Số lượng", "count"), o.pick("Tỷ lệ (%)", "share")}}
	c := rep.Org.Counts
	summary := o.pick("Tổng hợp", "SUMMARY")
	for _, f := range []struct {
		label, code string
		n           int32
	}{
		{"Tổ chức đảng trực thuộc trực tiếp", "childCount", c.Children},
		{org.District.Label(), "districtCount", c.ByKind[org.District]},
		{"Tổ chức cơ sở đảng", "grassrootsCount", c.Grassroots()},
		{org.GrassrootsCommittee.Label(), "grassrootsCommitteeCount", c.ByKind[org.GrassrootsCommittee]},
		{org.GrassrootsCell.Label(), "grassrootsCellCount", c.ByKind[org.GrassrootsCell]},
		{org.PartialCommittee.Label(), "partialCommitteeCount", c.ByKind[org.PartialCommittee]},
		{org.Cell.Label(), "cellCount", c.ByKind[org.Cell]},
		{"Đảng viên", "memberCount", c.Members()},
		{org.Official.Label(), "officialCount", c.Official},
		{org.Probationary.Label(), "probationaryCount", c.Probationary},
	} {
		rows = append(rows, []any{summary, o.pick(f.label, f.code), int(f.n), ""})
	}
	bySector := o.pick("Chi bộ trực thuộc theo lĩnh vực", "CELLS_BY_SECTOR")
	for s, n := range c.CellsBySector {
		if n > 0 {
			rows = append(rows, []any{bySector, o.pick(org.Sector(s).Label(), org.Sector(s).String()), int(n), ""})
		}
	}
	for _, b := range rep.Breakdowns {
		section := o.pick(b.By.Title(rep.Year), b.By.String())
		for _, r := range b.Rows {
			rows = append(rows, []any{section, o.pick(r.Label, r.Key), r.Count, r.Share})
		}
	}
	for _, r := range rows {
		if err := sh.row(r...); err != nil {
			return err
		}
	}
	return nil
}

// exportScenarioDiff serves GET /export/scenario-diff.{csv,xlsx}?scenario=…:
// for a board meeting, the figures of the scenario's subtree before and
// after, each organisation it changes, and the findings it adds and resolves.
func exportScenarioDiff(svc *org.Service, f sheetFormat) http.Handler {
	return exportHandler(svc, org.ExportScenarioDiff, "scenario", f, func(r *http.Request, o exportOptions, open func(string, string) (sheet, error)) error {
		id := r.URL.Query().Get("scenario")
		if id == "" {
			return refused{org.Errorf(org.EInvalid, "thiếu tham số scenario (id của phương án)")}
		}
		ctx := r.Context()
		sc, err := svc.Scenario(ctx, id)
		if err != nil {
			return refused{err}
		}
		d, err := svc.ExportScenarioDiff(ctx, id)
		if err != nil {
			return err
		}
		// Parents are named as they stand on each side: a new parent
		// exists only in the scenario.
		var before, after []string
		for _, n := range d.Nodes {
			if n.Before != nil {
				before = append(before, n.Before.ParentID)
			}
			if n.After != nil {
				after = append(after, n.After.ParentID)
			}
		}
		names := map[string]string{}
		for _, side := range []struct {
			v   org.View
			ids []string
		}{{org.View{At: sc.BaseAsOf}, before}, {sc.View(), after}} {
			orgs, err := svc.Orgs(ctx, side.v, side.ids)
			if err != nil {
				return err
			}
			for i, o := range orgs {
				if o.ID != "" {
					names[side.ids[i]] = o.Name
				}
			}
		}
		sh, err := open("phuong-an-"+id, "So sánh phương án")
		if err != nil {
			return err
		}
		return writeScenarioDiff(sh, o, &d, names)
	})
}

func writeScenarioDiff(sh sheet, o exportOptions, d *org.ScenarioDiff, parents map[string]string) error {
	rows := [][]any{{o.pick("Mục", "section"), o.pick("Mã", "id"), o.pick("Tên", "name"), o.pick("Thay đổi", "changes"),
		o.pick("Trước", "before"), o.pick("Sau", "after"), o.pick("Chênh lệch", "delta"), o.pick("Chi tiết", "detail")}}
	section := o.pick("Tổ chức thay đổi", "NODE")
	for _, n := range d.Nodes {
		kinds := make([]string, len(n.Kinds))
		for i, k := range n.Kinds {
			kinds[i] = o.pick(k.Label(), k.String())
		}
		name := ""
		if n.After != nil {
			name = n.After.Name
		} else if n.Before != nil {
			name = n.Before.Name
		}
		rows = append(rows, []any{section, n.ID, name, strings.Join(kinds, "; "),
			describeOrg(o, n.Before, parents), describeOrg(o, n.After, parents), int(n.MemberDelta), ""})
	}
	section = o.pick("Số liệu", "FIGURE")
	for _, f := range d.Figures {
		rows = append(rows, []any{section, f.Name, o.pick(org.FigureLabel(f.Name), f.Name), "", f.AsIs, f.ToBe, f.Net(), ""})
	}
	for _, fs := range []struct {
		label, code string
		vs          []org.Violation
	}{{"Vi phạm phát sinh", "ADDED_FINDING", d.Added}, {"Vi phạm được khắc phục", "RESOLVED_FINDING", d.Resolved}} {
		for _, v := range fs.vs {
			rows = append(rows, []any{o.pick(fs.label, fs.code), v.Subject, v.Rule.ID + " " + v.Rule.Title,
				o.pick(v.Rule.Severity.Label(), v.Rule.Severity.String()), "", "", "", v.Message + " (" + v.Rule.Basis + ")"})
		}
	}
	for _, r := range rows {
		if err := sh.row(r...); err != nil {
			return err
		}
	}
	return nil
}

// describeOrg is an organisation as a diff shows one side of it: name, kind
// and parent.
func describeOrg(o exportOptions, g *org.Org, parents map[string]string) string {
	if g == nil {
		return ""
	}
	if o.codes {
		parent := "" // named only when the caller sees it, as in scenarioDiff
		if parents[g.ParentID] != "" {
			parent = g.ParentID
		}
		return g.Name + " | " + g.Kind.String() + " | " + parent
	}
	s := g.Name + " – " + g.Kind.Label()
	if p := parents[g.ParentID]; p != "" {
		s += " – trực thuộc " + p
	}
	return s
}

// unknownExport answers under /export/ what no export serves: a name that is
// none of names (NOT_FOUND, listing them), or a method other than GET on one
// of them, coded and worded as every refusal rather than as the mux's plain
// English.
func unknownExport(names []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/export/")
		if slices.Contains(names, name) {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, org.Errorf(codeMethodNotAllowed, "Bản xuất chỉ tải được bằng GET."))
			return
		}
		writeError(w, http.StatusNotFound, org.Errorf(org.ENotFound, "Không có bản xuất %s; các bản xuất là: %s.",
			quote(name), strings.Join(names, ", ")))
	})
}
