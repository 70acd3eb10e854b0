package main

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"dangbo/internal/browsertest"
	"dangbo/internal/org"
)

// nodeChange is a NodeChange of scenarioDiff, as the viewer marks it.
type nodeChange struct {
	ID          string
	Changes     []string
	MemberDelta int
	Before      *struct{ Name string }
	After       *struct{ Name string }
}

type scenarioDiff struct {
	Nodes           []nodeChange
	ViolationsAdded []struct{ Rule, Message string }
}

func (s *service) scenarioDiff(id string) scenarioDiff {
	s.t.Helper()
	var r struct{ ScenarioDiff scenarioDiff }
	s.query(&r, `query($id: ID!) { scenarioDiff(id: $id) {
		nodes { id changes memberDelta before { name } after { name } }
		violationsAdded { rule message } } }`, map[string]any{"id": id})
	return r.ScenarioDiff
}

// createScenario creates a scenario within an organisation with operations.
func (s *service) createScenario(name, within string, operations []map[string]any) string {
	s.t.Helper()
	var c struct{ CreateScenario struct{ ID string } }
	s.query(&c, `mutation($n: String!, $w: ID!) { createScenario(name: $n, within: $w) { id } }`,
		map[string]any{"n": name, "w": within})
	var a struct {
		AddScenarioOperations struct {
			Operations []struct {
				Applied bool
				Error   *string
			}
		}
	}
	s.query(&a, `mutation($id: ID!, $ops: [ScenarioOperationInput!]!) {
		addScenarioOperations(id: $id, operations: $ops) { operations { applied error } } }`,
		map[string]any{"id": c.CreateScenario.ID, "ops": operations})
	for i, op := range a.AddScenarioOperations.Operations {
		if !op.Applied {
			s.t.Fatalf("scenario %s: operation %d not applied: %v", name, i, *op.Error)
		}
	}
	return c.CreateScenario.ID
}

// mergerScenario: in the first district of the province with three communes
// and a grassroots cell, two communes merge into a new commune, the third is
// renamed, the grassroots cell becomes a grassroots committee (its members
// moving into a new cell below it), and an empty cell is established in the
// new commune (an R1 finding the scenario adds).
func (s *service) mergerScenario(province string) (id string, district viewerNode) {
	s.t.Helper()
	for _, d := range s.chartNodes(province, 1)[1:] {
		var communes, cells []viewerNode
		for _, n := range s.chartNodes(d.ID, 1)[1:] {
			if n.Kind == "GRASSROOTS_COMMITTEE" && strings.HasPrefix(n.Name, "Đảng bộ xã ") {
				communes = append(communes, n)
			}
			if n.Kind == "GRASSROOTS_CELL" {
				cells = append(cells, n)
			}
		}
		if len(communes) < 3 || len(cells) == 0 {
			continue
		}
		a, b, c := communes[0], communes[1], communes[2]
		merged := "Đảng bộ xã " + strings.TrimPrefix(a.Name, "Đảng bộ xã ") + " – " + strings.TrimPrefix(b.Name, "Đảng bộ xã ")
		id := s.createScenario("Sáp nhập xã", d.ID, []map[string]any{
			{"mergeOrgs": map[string]any{"sourceIds": []string{a.ID, b.ID}, "newTarget": map[string]any{
				"parentId": d.ID, "name": merged, "kind": "GRASSROOTS_COMMITTEE", "sector": "COMMUNE"}}},
			{"renameOrg": map[string]any{"id": c.ID, "name": c.Name + " mới"}},
			{"changeOrgKind": map[string]any{"id": cells[0].ID, "kind": "GRASSROOTS_COMMITTEE", "membersTo": map[string]any{
				"name": "Chi bộ Cơ quan", "kind": "CELL", "sector": "AGENCY"}}},
		})
		var sc struct {
			Scenario struct{ Operations []struct{ Created []string } }
		}
		s.query(&sc, `query($id: ID!) { scenario(id: $id) { operations { created } } }`, map[string]any{"id": id})
		var add any
		s.query(&add, `mutation($id: ID!, $parent: ID!) { addScenarioOperations(id: $id, operations: [
			{establishOrg: {parentId: $parent, name: "Chi bộ thôn Mới", kind: CELL, sector: VILLAGE}}]) { id } }`,
			map[string]any{"id": id, "parent": sc.Scenario.Operations[0].Created[0]})
		return id, d
	}
	s.t.Fatal("no district with three communes")
	return "", viewerNode{}
}

// selectOption picks an option of a select as a user does: the change event
// follows. (The value goes in a list: chromedp's polling drops an empty
// string argument.)
func selectOption(b *browsertest.Browser, css, value string) {
	waitForJS(b, "pick "+value+" in "+css, `(css, [value]) => {
		const s = document.querySelector(css);
		if (s.disabled || ![...s.options].some((o) => o.value === value)) return false;
		s.value = value;
		s.dispatchEvent(new Event('change'));
		return true;
	}`, css, []string{value})
}

// clickButton clicks the expand button of a node once it has stopped moving
// (d3-org-chart animates nodes into place).
func clickButton(b *browsertest.Browser, id string) {
	button := fmt.Sprintf(`g.node[data-org-id=%q] .node-button-rect`, id)
	waitForJS(b, "the button of "+id+" at rest", `(css) => {
		const el = document.querySelector(css);
		if (!el) return false;
		const r = el.getBoundingClientRect();
		const box = r.x + ',' + r.y;
		const still = window.lastButtonBox === box;
		window.lastButtonBox = box;
		return still;
	}`, button)
	b.Click(button)
}

// drawnMarks are the marks of the cards drawn: id → sorted changes and member delta.
func drawnMarks(b *browsertest.Browser) map[string]string {
	return evaluateJS[map[string]string](b, "marked cards", `Object.fromEntries(
		[...document.querySelectorAll('.org-card[data-changes]')].map((c) =>
			[c.dataset.orgId, c.dataset.changes.split(' ').filter(Boolean).sort().join(' ') + ' ' + c.dataset.memberDelta]))`)
}

// wantMarks are the marks the diff gives the side's organisations.
func wantMarks(diff scenarioDiff, side string) map[string]string {
	sides := map[string][]string{"NEW": {"after"}, "ENDED": {"before"}, "MOVED": {"before", "after"},
		"RENAMED": {"before", "after"}, "KIND_CHANGED": {"before", "after"}}
	want := map[string]string{}
	for _, n := range diff.Nodes {
		var changes []string
		for _, c := range n.Changes {
			if slices.Contains(sides[c], side) {
				changes = append(changes, c)
			}
		}
		if len(changes) == 0 && n.MemberDelta == 0 {
			continue
		}
		sort.Strings(changes)
		want[n.ID] = strings.Join(changes, " ") + " " + fmt.Sprint(n.MemberDelta)
	}
	return want
}

// checkMarks checks that every structurally changed organisation of the side
// is drawn, and that every card drawn carries its mark from the diff.
func checkMarks(t *testing.T, b *browsertest.Browser, diff scenarioDiff, side string) {
	t.Helper()
	want := wantMarks(diff, side)
	var changed []string
	for id, m := range want {
		if !strings.HasPrefix(m, " ") { // a structural change, not members alone
			changed = append(changed, id)
		}
	}
	if len(changed) == 0 {
		t.Fatalf("the scenario changes nothing on the %s side", side)
	}
	waitForJS(b, side+": the changed organisations", cardsDrawn, changed)
	drawn := drawnMarks(b)
	kinds := map[string]bool{}
	for _, m := range drawn {
		for _, c := range strings.Fields(m)[:len(strings.Fields(m))-1] {
			kinds[c] = true
		}
	}
	for _, c := range map[string][]string{"after": {"NEW", "MOVED", "RENAMED", "KIND_CHANGED"}, "before": {"ENDED", "MOVED", "RENAMED", "KIND_CHANGED"}}[side] {
		if !kinds[c] {
			t.Errorf("%s: no card marked %s", side, c)
		}
	}
	for _, id := range changed {
		if drawn[id] != want[id] {
			t.Errorf("%s: card %s marked %q, want %q", side, id, drawn[id], want[id])
		}
	}
	for id, m := range drawn {
		if want[id] != m {
			t.Errorf("%s: card %s marked %q, the diff has %q", side, id, m, want[id])
		}
	}
}

const (
	// Records the files the page saves through a link (d3-org-chart's
	// exports), then lets the browser have them.
	recordDownloads = `(() => {
		window.savedFiles = [];
		const click = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () {
			if (this.download) window.savedFiles.push({ name: this.download, href: this.href.slice(0, 30), size: this.href.length });
			return click.call(this);
		};
		return true;
	})()`
	savedFile = `(suffix) => (window.savedFiles ?? []).some((f) => f.name.endsWith(suffix))`
)

// TestChartScenarioModeInABrowser: a scripted session of the chart viewer —
// pick a province, expand a district, reveal a member, enter a scenario,
// toggle before and after, export — logs no error in the console. In scenario
// mode the cards of the organisations a scenario changes carry the marks and
// member deltas of scenarioDiff on either side, its added findings are listed
// beside the chart, and a province whose district level is abolished (467
// organisations right below it) is drawn in groups by kind and sector.
func TestChartScenarioModeInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	// The whole province, replayed and drawn, under -race on a shared
	// machine: a step may take long without being stuck.
	b.Timeout = 2 * time.Minute
	s := start(t, t.TempDir(), "--dev")
	var roots struct{ Roots []struct{ ID, Name string } }
	s.query(&roots, `{ roots { id name } }`, nil)
	konTum, quangNinh := roots.Roots[0].ID, roots.Roots[1].ID
	merger, district := s.mergerScenario(konTum)
	flatten := s.createScenario("Bỏ cấp huyện", quangNinh, []map[string]any{
		{"flattenLevel": map[string]any{"kind": "DISTRICT", "within": quangNinh}}})

	// Pick a province: the chart of the first one is replaced (this logged
	// translate(NaN,NaN) errors).
	b.Navigate(s.url + "/chart")
	waitForJS(b, "Kon Tum", cardsDrawn, []string{konTum})
	evaluateJS[bool](b, "record downloads", recordDownloads)
	province := s.chartNodes(quangNinh, 1)
	selectOption(b, "#root-picker", quangNinh)
	waitForJS(b, "Quảng Ninh and its children", cardsDrawn, nodeIDs(province))
	if n := evaluateJS[int](b, "count cards", countCards); n != len(province) {
		t.Errorf("%d cards drawn for Quảng Ninh, want %d", n, len(province))
	}

	// Expand a district, reveal a member.
	i := slices.IndexFunc(province, func(n viewerNode) bool { return n.Name == "Đảng bộ thành phố Hạ Long" })
	haLong := province[i]
	children := s.chartNodes(haLong.ID, 1)[1:]
	b.Click("#fit")
	waitForJS(b, "the whole chart in view", viewSettled, "all")
	b.Click(fmt.Sprintf(`g.node[data-org-id=%q] .node-button-rect`, haLong.ID))
	waitForJS(b, "Hạ Long's children", cardsDrawn, nodeIDs(children))
	hit := findMemberToSearch(t, s, quangNinh, haLong, children)
	b.Type("#search-text", hit.member.FullName+"\r")
	hitButton := fmt.Sprintf(`#search-results button[data-hit-id=%q]`, hit.member.ID)
	b.WaitVisible(hitButton)
	b.Click(hitButton)
	waitForJS(b, "the member's cell in view", viewSettled, hit.member.Cell.ID)

	// Enter the merger: as it would be, then as it is.
	diff := s.scenarioDiff(merger)
	selectOption(b, "#scenario-picker", merger)
	b.WaitText("#scenario-panel h2", "Sáp nhập xã")
	b.WaitText("#root-picker", district.Name)
	checkMarks(t, b, diff, "after")
	if len(diff.ViolationsAdded) == 0 {
		t.Fatal("the merger adds no finding")
	}
	b.WaitText("#scenario-panel h3", fmt.Sprintf("Vi phạm phát sinh (%d)", len(diff.ViolationsAdded)))
	for _, v := range diff.ViolationsAdded {
		b.WaitText("#scenario-findings", v.Message)
	}
	if href := evaluateJS[string](b, "export link", `document.getElementById('scenario-export').href`); href != s.url+"/export/scenario-diff.xlsx?scenario="+merger {
		t.Errorf("the diff's export link is %s", href)
	}
	// The diff's spreadsheet comes from another route (GET /export/scenario-diff.xlsx);
	// where the server has it, the link saves it.
	if resp, err := http.Get(s.url + "/export/scenario-diff.xlsx?scenario=" + merger); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		b.Click("#scenario-export")
		waitForJS(b, "the diff saved", savedFile, ".xlsx")
	}

	// Search answers inside the scenario: the new commune, found and shown.
	newCommune := diff.Nodes[slices.IndexFunc(diff.Nodes, func(n nodeChange) bool {
		return slices.Contains(n.Changes, "NEW") && strings.HasPrefix(n.After.Name, "Đảng bộ xã")
	})]
	evaluateJS[string](b, "clear the search", `document.getElementById('search-text').value = ''`)
	b.Type("#search-text", org.Fold(newCommune.After.Name)+"\r")
	hitButton = fmt.Sprintf(`#search-results button[data-hit-id=%q]`, newCommune.ID)
	b.WaitVisible(hitButton)
	b.Click(hitButton)
	waitForJS(b, "the new commune in view", viewSettled, newCommune.ID)
	png := b.Screenshot("chart-scenario")
	if err := browsertest.NonBlank(png); err != nil {
		t.Error(err)
	}
	b.Click(`#scenario-panel input[value="before"]`)
	checkMarks(t, b, diff, "before")
	for _, n := range diff.Nodes {
		if slices.Contains(n.Changes, "NEW") {
			if drawn := evaluateJS[bool](b, "the new commune", fmt.Sprintf(`!!document.querySelector(%q)`, cardSelector(n.ID))); drawn {
				t.Errorf("%s, new in the scenario, is drawn as it is", n.After.Name)
			}
		}
	}

	// Export the chart as it is, then as it would be.
	b.Click("#export-svg")
	waitForJS(b, "the SVG saved", savedFile, ".svg")
	b.Click(`#scenario-panel input[value="after"]`)
	checkMarks(t, b, diff, "after")
	waitForJS(b, "the changes in view", viewSettled, "focus")
	b.Click("#export-png")
	waitForJS(b, "the PNG saved", savedFile, ".png")
	saved := evaluateJS[[]struct {
		Name, Href string
		Size       int
	}](b, "saved files", `window.savedFiles`)
	for _, f := range saved {
		if strings.HasSuffix(f.Name, ".xlsx") {
			continue // the diff's spreadsheet, saved above
		}
		want := map[bool]string{true: "data:image/svg+xml", false: "data:image/png"}[strings.HasSuffix(f.Name, ".svg")]
		if !strings.HasPrefix(f.Name, "phuong-an-") || !strings.HasPrefix(f.Href, want) || f.Size < 10000 {
			t.Errorf("saved %s: %s… (%d bytes)", f.Name, f.Href, f.Size)
		}
	}

	// The flattened province: its 467 children in closed groups by kind and
	// sector, each saying how many of its organisations moved.
	selectOption(b, "#scenario-picker", flatten)
	b.WaitText("#scenario-panel h2", "Bỏ cấp huyện")
	var flat struct {
		OrgChart struct{ Nodes []viewerNode }
	}
	s.query(&flat, `query($id: ID!, $s: ID!) { orgChart(rootId: $id, depth: 1, scenario: $s) { nodes { id name kind } } }`,
		map[string]any{"id": quangNinh, "s": flatten})
	kids := flat.OrgChart.Nodes[1:]
	if len(kids) < 400 {
		t.Fatalf("Quảng Ninh has %d children once flattened", len(kids))
	}
	groups := map[string]int{}
	for _, n := range kids {
		groups[n.Kind]++
	}
	waitForJS(b, "the groups", `(n) => document.querySelectorAll('.org-group').length >= n`, len(groups))
	waitForJS(b, "the chart at rest", viewSettled, "all")
	if n := evaluateJS[int](b, "count cards", countCards); n != 1 {
		t.Errorf("%d organisations' cards drawn in the flattened province, want the province's alone", n)
	}
	grouped := evaluateJS[int](b, "grouped organisations", `[...document.querySelectorAll('.org-group')]
		.filter((g) => !g.dataset.groupId.match(/\/\d+$/))
		.reduce((sum, g) => sum + Number(g.innerText.match(/Nhóm · ([\d.]+) tổ chức/)[1].replaceAll('.', '')), 0)`)
	if grouped != len(kids) {
		t.Errorf("the groups hold %d organisations, want %d", grouped, len(kids))
	}
	png = b.Screenshot("chart-flattened")
	if err := browsertest.NonBlank(png); err != nil {
		t.Error(err)
	}
	saveChartScreenshot(t, png)
	// The largest group opens into pages, a page into its organisations, marked.
	largest := evaluateJS[string](b, "the largest group", `[...document.querySelectorAll('.org-group')]
		.sort((a, b) => b.innerText.length && Number(b.innerText.match(/([\d.]+) tổ chức/)[1].replaceAll('.', '')) - Number(a.innerText.match(/([\d.]+) tổ chức/)[1].replaceAll('.', '')))[0].dataset.groupId`)
	clickButton(b, largest)
	firstPage := largest + "/0"
	waitForJS(b, "its pages", `(id) => !!document.querySelector('.org-group[data-group-id="' + id + '"]')`, firstPage)
	clickButton(b, firstPage)
	waitForJS(b, "a page of organisations, marked moved", `() => document.querySelectorAll('.org-card[data-changes="MOVED"]').length > 0`)

	// Leaving scenario mode brings the province back as it is.
	selectOption(b, "#scenario-picker", "")
	waitForJS(b, "Quảng Ninh as it is", cardsDrawn, nodeIDs(province))

	b.AssertNoExternalRequests()
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the chart viewer logged errors: %q", errs)
	}
}

// BenchmarkChartFlattenedProvince times the viewer's first picture of Quảng
// Ninh once its district level is abolished (467 organisations right below
// the province, drawn in groups, and the scenario's diff for the panel)
// against the live province's first picture (20 districts), navigated in turn
// in the same run: ratio is flattened over live.
func BenchmarkChartFlattenedProvince(b *testing.B) {
	br := browsertest.Start(b)
	s := start(b, b.TempDir(), "--dev")
	var roots struct{ Roots []struct{ ID string } }
	s.query(&roots, `{ roots { id } }`, nil)
	quangNinh := roots.Roots[1].ID
	flatten := s.createScenario("Bỏ cấp huyện", quangNinh, []map[string]any{
		{"flattenLevel": map[string]any{"kind": "DISTRICT", "within": quangNinh}}})
	picture := func(url, ready string) time.Duration {
		br.Navigate("about:blank")
		began := time.Now()
		br.Navigate(url)
		waitForJS(br, "the first picture", ready)
		return time.Since(began)
	}
	var live, flat time.Duration
	for b.Loop() {
		live += picture(s.url+"/chart?root="+quangNinh,
			`() => document.querySelectorAll('.org-card').length === 21 && document.getElementById('chart').dataset.view === ''`)
		flat += picture(s.url+"/chart?scenario="+flatten,
			`() => document.querySelectorAll('.org-group').length > 0 && document.getElementById('chart').dataset.view === 'all'`)
	}
	b.ReportMetric(float64(live.Milliseconds())/float64(b.N), "ms-live/op")
	b.ReportMetric(float64(flat.Milliseconds())/float64(b.N), "ms-flattened/op")
	b.ReportMetric(float64(flat)/float64(live), "ratio")
}
