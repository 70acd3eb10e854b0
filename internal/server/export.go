package server

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// chartCSVHeader names the columns of /export/orgchart.csv: the fields of
// ChartNode, in the schema's order.
var chartCSVHeader = []string{"id", "parentId", "name", "kind", "sector", "depth", "childCount",
	"directMemberCount", "memberCount", "officialCount", "probationaryCount"}

// utf8BOM makes spreadsheet programs (Excel) read the file as UTF-8, so that
// Vietnamese names show with their diacritics.
const utf8BOM = "\uFEFF"

// exportChartCSV serves GET /export/orgchart.csv?root=…[&depth=…][&kinds=A,B][&asOf=YYYY-MM-DD|&scenario=ID][&bom=0]:
// the nodes of orgChart as CSV for spreadsheets and other tools, live or as if a scenario were applied.
func exportChartCSV(svc *org.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, q, bom, err := chartRequest(svc, r)
		if err != nil {
			svc.ExportChartRefused(r.Context(), q.RootID, err)
		} else {
			var nodes []org.ChartNode
			if nodes, err = svc.ExportChart(r.Context(), v, q); err == nil {
				name := fmt.Sprintf("orgchart-%s-%s", q.RootID, v.At)
				if v.Scenario != "" {
					name += "-" + v.Scenario
				}
				writeChartCSV(w, nodes, name+".csv", bom)
				return
			}
		}
		auth.WriteError(w, httpStatus(err), err)
	})
}

func chartRequest(svc *org.Service, r *http.Request) (org.View, org.ChartQuery, bool, error) {
	p := r.URL.Query()
	v, q := svc.Now(), org.ChartQuery{RootID: p.Get("root"), Depth: -1}
	if q.RootID == "" {
		return v, q, false, org.Errorf(org.EInvalid, "thiếu tham số root (id của tổ chức gốc)")
	}
	if s := p.Get("depth"); s != "" {
		d, err := strconv.Atoi(s)
		if err != nil || d < 0 {
			return v, q, false, org.Errorf(org.EInvalid, "depth phải là số từ 0 trở lên, nhận %q", s)
		}
		q.Depth = d
	}
	if s := p.Get("kinds"); s != "" {
		for name := range strings.SplitSeq(s, ",") {
			k, err := org.ParseKind(strings.TrimSpace(name))
			if err != nil {
				return v, q, false, err
			}
			q.Kinds = append(q.Kinds, k)
		}
	}
	v, err := exportView(svc, r)
	return v, q, p.Get("bom") != "0", err
}

func writeChartCSV(w http.ResponseWriter, nodes []org.ChartNode, filename string, bom bool) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	if bom {
		_, _ = bw.WriteString(utf8BOM)
	}
	cw := newSpreadsheetCSV(bw)
	_ = cw.Write(chartCSVHeader)
	row := make([]string, len(chartCSVHeader))
	for i := range nodes {
		n := &nodes[i]
		row[0], row[1], row[2], row[3], row[4] = n.ID, n.ChartParentID, n.Name, n.Kind.String(), n.Sector.String()
		for j, count := range []int{n.Depth, int(n.Counts.Children), int(n.Counts.DirectMembers()),
			int(n.Counts.Members()), int(n.Counts.Official), int(n.Counts.Probationary)} {
			row[5+j] = strconv.Itoa(count)
		}
		_ = cw.Write(row) // a failed write is the client gone; nothing to tell them
	}
	cw.Flush()
	_ = bw.Flush()
}

// httpStatus is the status of a request that failed with err outside GraphQL.
func httpStatus(err error) int {
	switch org.ErrorCode(err) {
	case org.EInvalid:
		return http.StatusBadRequest
	case org.EUnauthorized:
		return http.StatusUnauthorized
	case org.EForbidden:
		return http.StatusForbidden
	case org.ENotFound:
		return http.StatusNotFound
	case org.EConflict:
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}
