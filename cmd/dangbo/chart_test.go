package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dangbo/internal/browsertest"
	"dangbo/internal/org"
)

// viewerNode is an organisation as the chart viewer draws it.
type viewerNode struct {
	ID, Name, Kind                                            string
	ChildCount, MemberCount, OfficialCount, ProbationaryCount int
}

// chartNodes is the API's chart of the subtree below rootID.
func (s *service) chartNodes(rootID string, depth int) []viewerNode {
	s.t.Helper()
	var r struct{ OrgChart struct{ Nodes []viewerNode } }
	s.query(&r, `query($id: ID!, $depth: Int) { orgChart(rootId: $id, depth: $depth) {
		nodes { id name kind childCount memberCount officialCount probationaryCount } } }`,
		map[string]any{"id": rootID, "depth": depth})
	return r.OrgChart.Nodes
}

// residenceLink is a residence link between two cells: from, to.
type residenceLink [2]string

// chartResidenceLinks are the links between the cells below rootID, with
// their member counts.
func (s *service) chartResidenceLinks(rootID string) map[residenceLink]int {
	s.t.Helper()
	var r struct {
		OrgChart struct {
			LinkColumns struct {
				From, To     []string
				MemberCounts []int
			}
		}
	}
	s.query(&r, `query($id: ID!) { orgChart(rootId: $id, kinds: [CELL, GRASSROOTS_CELL]) { linkColumns { from to memberCounts } } }`,
		map[string]any{"id": rootID})
	c := r.OrgChart.LinkColumns
	links := map[residenceLink]int{}
	for i := range c.From {
		links[residenceLink{c.From[i], c.To[i]}] = c.MemberCounts[i]
	}
	return links
}

// The viewer's Vietnamese names of the kinds.
var viewerKindLabels = map[string]string{
	"PROVINCE": "Đảng bộ tỉnh", "DISTRICT": "Đảng bộ cấp huyện", "GRASSROOTS_COMMITTEE": "Đảng bộ cơ sở",
	"GRASSROOTS_CELL": "Chi bộ cơ sở", "PARTIAL_COMMITTEE": "Đảng bộ bộ phận", "CELL": "Chi bộ",
}

// viewerCount writes a count as the viewer does: 103912 → "103.912".
func viewerCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

func cardSelector(id string) string { return fmt.Sprintf(`.org-card[data-org-id=%q]`, id) }

// evaluateJS runs a JavaScript expression in the page and returns its value.
func evaluateJS[T any](b *browsertest.Browser, what, expression string) T {
	var v T
	b.Do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		v, err = chromedp.Evaluate[T](expression)(ctx, t)
		return err
	}))
	return v
}

// waitForJS waits until the JavaScript function, given args, returns true.
func waitForJS(b *browsertest.Browser, what, function string, args ...any) {
	b.Do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.PollFunction[bool](function, chromedp.WithPollingArgs(args...),
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))(ctx, t)
		return err
	}))
}

// checkCards checks that the chart draws each node with its name, kind and counts.
func checkCards(t *testing.T, b *browsertest.Browser, nodes []viewerNode) {
	t.Helper()
	for _, n := range nodes {
		text := b.Text(cardSelector(n.ID))
		for _, want := range []string{
			n.Name, viewerKindLabels[n.Kind], viewerCount(n.MemberCount) + " đảng viên",
			"chính thức " + viewerCount(n.OfficialCount), "dự bị " + viewerCount(n.ProbationaryCount),
			"Trực thuộc: " + viewerCount(n.ChildCount),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the card of %s shows %q, without %q", n.Name, text, want)
			}
		}
	}
}

// What the test asks the page.
const (
	// viewSettled: the chart has come to rest on a revealed organisation, on
	// the whole chart ("all") or on the changes of a scenario ("focus").
	viewSettled = `(view) => document.getElementById('chart').dataset.view === view`
	cardsDrawn  = `(ids) => ids.every((id) => document.querySelector('.org-card[data-org-id="' + id + '"]'))`
	countCards  = `document.querySelectorAll('.org-card').length`
	countLinks  = `(want) => document.querySelectorAll('path.connection').length === want`
)

func nodeIDs(nodes []viewerNode) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID
	}
	return out
}

// TestChartInABrowser: headless Chromium opens the org chart viewer served
// by the binary, which draws the first province with its district-level
// committees, expands a district on demand, finds a member typed without
// diacritics, highlights the path to their cell, draws residence links and
// redraws a change made meanwhile.
func TestChartInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	s := start(t, t.TempDir(), "--dev") // no token: --dev runs tokenless requests as admin

	var roots struct{ Roots []struct{ ID, Name string } }
	s.query(&roots, `{ roots { id name } }`, nil)
	names := make([]string, len(roots.Roots))
	for i, r := range roots.Roots {
		names[i] = r.Name
	}
	if !slices.Equal(names, []string{"Đảng bộ tỉnh Kon Tum", "Đảng bộ tỉnh Quảng Ninh", "Đảng bộ tỉnh Vĩnh Phúc"}) {
		t.Fatalf("roots = %+v", roots.Roots)
	}
	quangNinh := roots.Roots[1].ID
	province := s.chartNodes(quangNinh, 1)
	if len(province) != 21 { // Quảng Ninh and its 20 district-level committees
		t.Fatalf("the chart of Quảng Ninh has %d nodes", len(province))
	}

	// The address names the province to open (the page keeps it there).
	b.Navigate(s.url + "/chart?root=" + quangNinh)
	waitForJS(b, "the province and its children", cardsDrawn, nodeIDs(province))
	if n := evaluateJS[int](b, "count cards", countCards); n != len(province) {
		t.Errorf("%d cards drawn, want %d", n, len(province))
	}
	checkCards(t, b, province)
	for _, r := range roots.Roots {
		if picker := b.Text("#root-picker"); !strings.Contains(picker, r.Name) {
			t.Errorf("the root picker offers %q, not %s", picker, r.Name)
		}
	}

	// Expand a district: its children come from the server on demand.
	i := slices.IndexFunc(province, func(n viewerNode) bool { return n.Name == "Đảng bộ thành phố Hạ Long" })
	if i < 0 || province[i].ChildCount == 0 {
		t.Fatalf("no Hạ Long with children among %+v", province)
	}
	district := province[i]
	children := s.chartNodes(district.ID, 1)[1:]
	if len(children) != district.ChildCount {
		t.Fatalf("Hạ Long has %d children in its chart, childCount %d", len(children), district.ChildCount)
	}
	// The first view shows the top rows at a readable size; Hạ Long is below
	// them until the whole chart is fitted in.
	b.Click("#fit")
	waitForJS(b, "the whole chart in view", viewSettled, "all")
	button := fmt.Sprintf(`g.node[data-org-id=%q] .node-button-div`, district.ID)
	if got, want := b.Text(button), "+ "+viewerCount(district.ChildCount); !strings.Contains(got, want) {
		t.Errorf("Hạ Long's expand button shows %q, want %q", got, want)
	}
	b.Click(fmt.Sprintf(`g.node[data-org-id=%q] .node-button-rect`, district.ID))
	waitForJS(b, "Hạ Long's children", cardsDrawn, nodeIDs(children))
	if n, want := evaluateJS[int](b, "count cards", countCards), len(province)+len(children); n != want {
		t.Errorf("%d cards drawn after expanding Hạ Long, want %d", n, want)
	}
	checkCards(t, b, children)
	if got, want := b.Text(button), "− "+viewerCount(district.ChildCount); !strings.Contains(got, want) {
		t.Errorf("Hạ Long's collapse button shows %q, want %q", got, want)
	}

	// A member of a cell in one of Hạ Long's grassroots committees, typed
	// without diacritics.
	hit := findMemberToSearch(t, s, quangNinh, district, children)
	member := hit.member
	folded := org.Fold(member.FullName)
	if folded == strings.ToLower(member.FullName) {
		t.Fatalf("%q has no diacritics to drop", member.FullName)
	}
	b.Type("#search-text", folded+"\r")
	hitButton := fmt.Sprintf(`#search-results button[data-hit-id=%q]`, member.ID)
	b.WaitVisible(hitButton)
	if got := b.Text(hitButton); !strings.Contains(got, member.FullName) || !strings.Contains(got, member.Cell.Name) {
		t.Errorf("the hit for %s shows %q", member.FullName, got)
	}
	b.Click(hitButton)
	waitForJS(b, "the hit in view", viewSettled, member.Cell.ID)
	// The committee's cells were loaded for the path; Hạ Long's were already.
	if n, want := evaluateJS[int](b, "count cards", countCards), len(province)+len(children)+len(hit.cells); n != want {
		t.Errorf("%d cards drawn after choosing the hit, want %d", n, want)
	}
	checkCards(t, b, hit.cells)
	highlighted := evaluateJS[[]string](b, "highlighted cards",
		`[...document.querySelectorAll('.org-card[data-highlighted="true"]')].map((c) => c.dataset.orgId)`)
	if len(highlighted) != len(hit.path) {
		t.Errorf("cards %v highlighted, want the %d of the path %+v", highlighted, len(hit.path), hit.path)
	}
	for _, o := range hit.path {
		if !slices.Contains(highlighted, o.ID) {
			t.Errorf("%s, on the path to %s, is not highlighted", o.Name, member.FullName)
		}
	}
	if got := b.Text(cardSelector(member.Cell.ID) + `[data-target="true"]`); !strings.Contains(got, "Đảng viên: "+member.FullName) {
		t.Errorf("the card of %s shows %q, not the member found", member.Cell.Name, got)
	}
	b.WaitText("#message", "Đảng viên "+member.FullName+" sinh hoạt tại "+member.Cell.Name)

	// Residence links between the cells shown (Hạ Long's children and the
	// committee's cells), dashed, labelled with their member counts.
	waitForJS(b, fmt.Sprintf("%d residence links", len(hit.links)), countLinks, len(hit.links))
	drawn := evaluateJS[[][3]string](b, "residence links", `[...document.querySelectorAll('path.connection')].map((p) => {
		const marker = p.getAttribute('marker-start').match(/^url\(#(label-.*)\)$/)[1];
		return [marker, p.getAttribute('stroke-dasharray') ?? '', document.getElementById(marker).textContent.trim()];
	})`)
	for _, d := range drawn {
		from, to, _ := strings.Cut(strings.TrimPrefix(d[0], "label-"), "-")
		count, ok := hit.links[residenceLink{from, to}]
		if !ok || d[1] == "" || d[2] != viewerCount(count) {
			t.Errorf("residence link %s → %s drawn with dashes %q and label %q; the API has %d members (%v)", from, to, d[1], d[2], count, ok)
		}
	}

	png := b.Screenshot("chart")
	if err := browsertest.NonBlank(png); err != nil {
		t.Error(err)
	}
	saveChartScreenshot(t, png)

	b.Click("#show-links")
	waitForJS(b, "no residence links", countLinks, 0)

	checkLiveRefresh(t, b, s, district, children)

	b.AssertNoExternalRequests()
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the chart viewer logged errors: %q", errs)
	}
}

type pathOrg struct{ ID, Name string }

// memberHit is a member to search for, the path of their hit, the cells the
// path opens and the residence links between the cells then shown.
type memberHit struct {
	member struct {
		ID, FullName string
		Cell         pathOrg
	}
	path  []pathOrg
	cells []viewerNode
	links map[residenceLink]int
}

// findMemberToSearch picks a member of a cell right below one of the
// district's grassroots committees, such that residence links join cells
// the chart then shows (the district's children and the committee's cells)
// and the member's unaccented name finds them in the first ten hits.
func findMemberToSearch(t *testing.T, s *service, provinceID string, district viewerNode, children []viewerNode) memberHit {
	t.Helper()
	links := s.chartResidenceLinks(district.ID)
	for _, committee := range children {
		if committee.Kind != "GRASSROOTS_COMMITTEE" {
			continue
		}
		hit := memberHit{cells: s.chartNodes(committee.ID, 1)[1:], links: map[residenceLink]int{}}
		shown := map[string]bool{}
		for _, n := range append(slices.Clone(hit.cells), children...) {
			shown[n.ID] = true
		}
		for l, n := range links {
			if shown[l[0]] && shown[l[1]] {
				hit.links[l] = n
			}
		}
		if len(hit.links) == 0 {
			continue
		}
		for _, cell := range hit.cells {
			if cell.Kind != "CELL" {
				continue
			}
			var r struct {
				Org struct {
					Members struct {
						Nodes []struct{ ID, FullName string }
					}
				}
			}
			s.query(&r, `query($id: ID!) { org(id: $id) { members(first: 5) { nodes { id fullName } } } }`,
				map[string]any{"id": cell.ID})
			for _, m := range r.Org.Members.Nodes {
				var hits struct {
					Search struct {
						Edges []struct {
							Path []pathOrg
							Node struct{ ID string }
						}
					}
				}
				s.query(&hits, `query($t: String!) { search(text: $t, first: 10) { edges { path { id name } node { ... on Member { id } ... on Org { id } } } } }`,
					map[string]any{"t": org.Fold(m.FullName)})
				for _, h := range hits.Search.Edges {
					if h.Node.ID != m.ID {
						continue
					}
					want := []pathOrg{{provinceID, ""}, {district.ID, district.Name}, {committee.ID, committee.Name}, {cell.ID, cell.Name}}
					if !slices.EqualFunc(h.Path, want, func(a, b pathOrg) bool { return a.ID == b.ID }) {
						t.Fatalf("the path of %s is %+v", m.FullName, h.Path)
					}
					hit.member.ID, hit.member.FullName, hit.member.Cell = m.ID, m.FullName, pathOrg{cell.ID, cell.Name}
					hit.path = h.Path
					return hit
				}
			}
		}
	}
	t.Fatal("no member below the district whose name finds them in ten hits and whose committee has residence links")
	return memberHit{}
}

// saveChartScreenshot keeps the screenshot in the test's temporary
// directory and, when DANGBO_SCREENSHOT_DIR names one, there too.
func saveChartScreenshot(t *testing.T, png []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if dir := os.Getenv("DANGBO_SCREENSHOT_DIR"); dir != "" {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, "chart.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}

// BenchmarkChartFirstTwoLevels times the viewer's first picture in headless
// Chromium: from the start of navigation to /chart until the largest province
// (Quảng Ninh) and all its children are drawn, against the binary with the
// full demo.
// ms-in-page is the same span as the page measures it (performance.now()).
func BenchmarkChartFirstTwoLevels(b *testing.B) {
	br := browsertest.Start(b)
	s := start(b, b.TempDir(), "--dev")
	type province struct {
		ID                      string
		ChildCount, MemberCount int
	}
	var roots struct{ Roots []province }
	s.query(&roots, `{ roots { id childCount memberCount } }`, nil)
	root := slices.MaxFunc(roots.Roots, func(a, b province) int { return a.MemberCount - b.MemberCount })
	const drawn = `(root, children) => {
		const cards = document.querySelectorAll('.org-card');
		return cards.length === children + 1 && document.querySelector('.org-card[data-org-id="' + root + '"]') ? performance.now() : 0;
	}`
	var inPage float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		br.Navigate("about:blank")
		b.StartTimer()
		br.Do("navigate and wait for the first picture", chromedp.Navigate(s.url+"/chart?root="+root.ID), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			ms, err := chromedp.PollFunction[float64](drawn, chromedp.WithPollingArgs(root.ID, root.ChildCount))(ctx, t)
			inPage += ms
			return err
		}))
	}
	b.ReportMetric(inPage/float64(b.N), "ms-in-page/op")
}
