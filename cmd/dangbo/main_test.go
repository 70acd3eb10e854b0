package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dangbo/internal/browsertest"
	"dangbo/internal/org"
	"dangbo/internal/playground/playgroundtest"
)

// binary is dangbo built once for the tests of this package, which run it as
// a user would.
var binary string

// testSecret signs the tokens of the tests; adminToken is one that the
// binary's token command minted with it.
const testSecret = "the secret of dangbo's end-to-end tests, 32+ bytes"

var adminToken string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dangbo-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dangbo")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building dangbo: %v\n%s", err, out)
		os.Exit(1)
	}
	if adminToken, err = mint(testSecret, "--role", "admin", "--subject", "cmd-tests"); err != nil {
		fmt.Fprintf(os.Stderr, "dangbo token: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// service is a running dangbo process.
type service struct {
	t      testing.TB
	cmd    *exec.Cmd
	url    string
	log    *logBuffer
	stdout *logBuffer
	token  string // sent with queries; empty for none
}

// logBuffer collects a process's log while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.WriteString(line + "\n")
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var listening = regexp.MustCompile(`msg=listening addr=(http://\S+)`)

// start runs dangbo serve on a free port with the given data directory,
// verifying tokens with testSecret, and waits until it answers /readyz.
func start(t testing.TB, data string, args ...string) *service {
	t.Helper()
	return startWithEnv(t, []string{"DANGBO_JWT_SECRET=" + testSecret}, data, args...)
}

// startWithEnv is start with other environment variables for dangbo's own.
func startWithEnv(t testing.TB, env []string, data string, args ...string) *service {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, args...)...)
	cmd.Env = append(os.Environ(), append([]string{"NEO4J_URI=", "DANGBO_JWT_SECRET=", "DANGBO_JWKS_URL="}, env...)...)
	s := &service{t: t, cmd: cmd, log: &logBuffer{}, stdout: &logBuffer{}, token: adminToken}
	cmd.Stdout = s.stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			// What the server said, warnings and errors first: a failed
			// browser step names a symptom, the log the cause.
			var bad []string
			for _, line := range strings.Split(s.log.String(), "\n") {
				if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") || strings.Contains(line, "panic") {
					bad = append(bad, line)
				}
			}
			t.Logf("dangbo's warnings and errors (%d):\n%s", len(bad), strings.Join(bad[max(0, len(bad)-40):], "\n"))
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.log.add(sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.url = <-found:
	// Not a timing assertion: a first start generates and writes the whole
	// demo, which on a machine shared with busy neighbours took over a minute.
	case <-time.After(3 * time.Minute):
		t.Fatalf("dangbo did not start:\n%s", s.log)
	}
	if resp, err := http.Get(s.url + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %v %v", resp, err)
	}
	return s
}

// query posts a GraphQL query with the service's token and decodes its data
// into v, failing on errors.
func (s *service) query(v any, query string, vars map[string]any) {
	s.t.Helper()
	status, raw := s.post(s.token, query, vars)
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 || status != http.StatusOK {
		s.t.Fatalf("query failed: %d %v %s", status, err, raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		s.t.Fatal(err)
	}
}

// post posts a GraphQL query with a bearer token (none when empty).
func (s *service) post(token, query string, vars map[string]any) (status int, body []byte) {
	s.t.Helper()
	raw, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.url+"/graphql", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

type sectorCount struct {
	Sector string
	Count  int
}

type stats struct {
	DistrictCount, GrassrootsCount, GrassrootsCommitteeCount, GrassrootsCellCount, CellCount, MemberCount int
	CellsBySector                                                                                         []sectorCount
}

const statsFields = `districtCount grassrootsCount grassrootsCommitteeCount grassrootsCellCount cellCount memberCount cellsBySector { sector count }`

// searchOrg returns the statistics of the best organisation match of text,
// as of early 2021: the date of the demo's figures.
func (s *service) searchOrg(text string) (string, stats) {
	s.t.Helper()
	var r struct {
		Search struct {
			Edges []struct {
				Node struct {
					Name       string
					Statistics stats
				}
			}
		}
	}
	s.query(&r, `query($t: String!) { search(text: $t, first: 1, types: [ORG], asOf: "2021-01-01") { edges { node { ... on Org { name statistics { `+statsFields+` } } } } } }`,
		map[string]any{"t": text})
	if len(r.Search.Edges) == 0 {
		s.t.Fatalf("nothing found for %q", text)
	}
	return r.Search.Edges[0].Node.Name, r.Search.Edges[0].Node.Statistics
}

func bySector(s stats) map[string]int {
	m := map[string]int{}
	for _, c := range s.CellsBySector {
		m[c.Sector] = c.Count
	}
	return m
}

// TestDemoFromAFreshStart is the foundation issue's "done when": a first
// start seeds the demo, whose figures are those of the source articles.
func TestDemoFromAFreshStart(t *testing.T) {
	s := start(t, t.TempDir())
	var roots struct {
		Roots []struct {
			Name       string
			Statistics stats
		}
	}
	// The figures are of early 2021; the demo lives on after (demo.End).
	s.query(&roots, `{ roots(asOf: "2021-01-01") { name statistics { `+statsFields+` } } }`, nil)
	var qn *stats
	for i, r := range roots.Roots {
		if r.Name == "Đảng bộ tỉnh Quảng Ninh" {
			qn = &roots.Roots[i].Statistics
		}
	}
	if qn == nil || qn.DistrictCount != 20 || qn.GrassrootsCount != 727 || qn.CellCount != 5045 ||
		qn.MemberCount < 103800 || qn.MemberCount > 103999 {
		t.Fatalf("Quảng Ninh = %+v", qn)
	}
	name, bloc := s.searchOrg("khoi cac co quan tinh")
	if name != "Đảng bộ Khối các cơ quan tỉnh Quảng Ninh" || bloc.GrassrootsCommitteeCount != 37 ||
		bloc.GrassrootsCellCount != 24 || bloc.MemberCount != 5022 {
		t.Fatalf("khoi cac co quan tinh: %s %+v", name, bloc)
	}
	name, th := s.searchOrg("tam hong")
	if sectors := bySector(th); name != "Đảng bộ xã Tam Hồng" || th.CellCount != 18 || th.MemberCount != 587 ||
		sectors["VILLAGE"] != 13 || sectors["SCHOOL"] != 4 || sectors["HEALTH"] != 1 {
		t.Fatalf("tam hong: %s %+v", name, th)
	}
	name, bl := s.searchOrg("bach luu")
	if name != "Đảng bộ xã Bạch Lưu" || bl.CellCount != 10 || bl.MemberCount != 165 || bySector(bl)["VILLAGE"] != 6 {
		t.Fatalf("bach luu: %s %+v", name, bl)
	}
	// Kon Tum's history, August 2016 to October 2021: the changes in summary,
	// its district-level committees, and villages and residential groups
	// (cells of those sectors) at both ends.
	type root struct {
		ID, Name   string
		Statistics stats
	}
	var kt struct{ Start, End []root }
	s.query(&kt, `{ start: roots(asOf: "2016-08-08") { id name statistics { `+statsFields+` } }
		end: roots(asOf: "2021-10-25") { id name statistics { `+statsFields+` } } }`, nil)
	homes := map[string]int{}
	var konTum string
	for when, roots := range map[string][]root{"start": kt.Start, "end": kt.End} {
		for _, r := range roots {
			if r.Name == "Đảng bộ tỉnh Kon Tum" {
				konTum = r.ID
				if r.Statistics.DistrictCount != 10 {
					t.Errorf("Kon Tum at the %s: %d district-level committees, want 10", when, r.Statistics.DistrictCount)
				}
				homes[when] = bySector(r.Statistics)["VILLAGE"] + bySector(r.Statistics)["RESIDENTIAL_GROUP"]
			}
		}
	}
	if homes["start"] != 874 || homes["end"] != 756 {
		t.Errorf("Kon Tum's villages and residential groups: %v, want 874 then 756", homes)
	}
	var sum struct {
		ChangeSummary struct{ Established, Dissolved, Merged, Admitted int }
	}
	s.query(&sum, `query($kt: ID!) { changeSummary(within: $kt, since: "2016-08-08", until: "2021-10-26") { established dissolved merged admitted } }`,
		map[string]any{"kt": konTum})
	if c := sum.ChangeSummary; c.Established != 232 || c.Dissolved != 225 || c.Merged != 198 || c.Admitted != 6225 {
		t.Errorf("Kon Tum's changes, 2016–2021: %+v, want 232 established, 225 dissolved, 198 merged, 6,225 admitted", c)
	}
}

// TestKillNineKeepsACreatedMember: a member created through the API survives
// kill -9 and a restart on the same data.
func TestKillNineKeepsACreatedMember(t *testing.T) {
	data := t.TempDir()
	s := start(t, data)
	var cells struct {
		Search struct {
			Edges []struct {
				Node struct{ ID string }
			}
		}
	}
	s.query(&cells, `{ search(text: "tam hong", first: 1, types: [ORG]) { edges { node { ... on Org { id } } } } }`, nil)
	var commune struct {
		Org struct {
			Children struct {
				Nodes []struct{ ID, Name string }
			}
		}
	}
	s.query(&commune, `query($id: ID!) { org(id: $id) { children(first: 1) { nodes { id name } } } }`,
		map[string]any{"id": cells.Search.Edges[0].Node.ID})
	cell := commune.Org.Children.Nodes[0].ID
	var created struct{ CreateMember struct{ ID string } }
	s.query(&created, `mutation($cell: ID!) { createMember(input: {cellId: $cell, fullName: "Phùng Thị Kiều Oanh",
		gender: FEMALE, status: PROBATIONARY}) { id } }`, map[string]any{"cell": cell})

	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()

	again := start(t, data)
	if strings.Contains(again.log.String(), "demo data loaded") {
		t.Fatal("the restart seeded the demo again instead of loading the data")
	}
	var got struct {
		Member *struct {
			FullName string
			Cell     struct{ ID string }
		}
	}
	again.query(&got, `query($id: ID!) { member(id: $id) { fullName cell { id } } }`, map[string]any{"id": created.CreateMember.ID})
	if got.Member == nil || got.Member.FullName != "Phùng Thị Kiều Oanh" || got.Member.Cell.ID != cell {
		t.Fatalf("member after kill -9 and restart = %+v", got.Member)
	}
}

// TestExportImport moves the demo between two data directories through
// NDJSON; an export of the imported store gives back the file byte for byte.
func TestExportImport(t *testing.T) {
	from, to, file := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "demo.ndjson")
	again := filepath.Join(t.TempDir(), "again.ndjson")
	for _, args := range [][]string{
		{"seed", "--data", from},
		{"export", "--data", from, file},
		{"import", "--data", to, file},
		{"export", "--data", to, again},
	} {
		if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
			t.Fatalf("dangbo %v: %v\n%s", args, err, out)
		}
	}
	exported, err1 := os.ReadFile(file)
	reexported, err2 := os.ReadFile(again)
	if err := errors.Join(err1, err2); err != nil || !bytes.Equal(exported, reexported) {
		t.Fatalf("the export of the imported demo differs from the file imported (%d and %d bytes, %v)", len(exported), len(reexported), err)
	}
	out, err := exec.Command(binary, "import", "--data", to, file).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "trống") {
		t.Fatalf("a second import into a full store: %v\n%s", err, out)
	}
	s := start(t, to, "--empty")
	_, bloc := s.searchOrg("khoi cac co quan tinh")
	if bloc.MemberCount != 5022 || bloc.GrassrootsCount != 61 {
		t.Fatalf("imported bloc = %+v", bloc)
	}
}

// TestPlaygroundInABrowser: headless Chromium opens the playground served by
// the binary, runs the first example and the screenshot shows its result.
func TestPlaygroundInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	s := start(t, t.TempDir(), "--dev") // the README's command: the playground needs no token
	playgroundtest.RunFirstExample(t, b, s.url+"/", examples[0].Name, `"districtCount": 20`)
}

// TestPlaygroundSubscriptionsInABrowser: the playground's live-changes tab
// runs its subscription over a websocket; a change recorded through the API
// appears in the result pane. With a bad token in the Headers editor the
// subscription answers the coded error, as a request over HTTP would.
func TestPlaygroundSubscriptionsInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	s := start(t, t.TempDir(), "--dev") // the README's command: no token needed
	const tab = "Live"
	province, bloc := s.orgID("tinh quang ninh"), s.orgID("khoi cac co quan tinh")

	playgroundtest.StartSubscription(t, b, s.url+"/", tab, "")
	renames := 0
	playgroundtest.AwaitChange(t, b, `"type": "RENAMED"`, func() {
		renames++
		var r struct{ RenameOrg struct{ Seq int } }
		s.query(&r, `mutation($id: ID!, $name: String!, $issuer: ID!, $date: Date!) {
			renameOrg(id: $id, name: $name, decision: {number: "98-QĐ/TU", date: $date, issuerId: $issuer}) { seq } }`,
			map[string]any{"id": bloc, "name": fmt.Sprintf("Đảng bộ Khối các cơ quan tỉnh Quảng Ninh (lần %d)", renames), "issuer": province, "date": org.Today().String()})
	})
	if err := browsertest.NonBlank(b.Screenshot("playground-subscription")); err != nil {
		t.Error(err)
	}

	playgroundtest.StartSubscription(t, b, s.url+"/", tab, `{"Authorization": "Bearer not-a-token"}`)
	playgroundtest.AwaitRefusal(t, b, `"code": "UNAUTHENTICATED"`, "Token không đúng định dạng JWT")
}

// TestPlaygroundDocsInABrowser: the Docs pane, the manual analysts read,
// shows the schema's descriptions: Org's own, its fields', and the arguments'
// of Org.children.
func TestPlaygroundDocsInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	s := start(t, t.TempDir(), "--dev", "--empty") // the docs need the schema, not the data
	playgroundtest.ShowDocs(t, b, s.url+"/", "Org",
		[]string{"A party organisation (tổ chức đảng) as of a date", "Members directly in this organisation (cells only)."},
		"children",
		[]string{"Organisations per page: 0 to 500 (BAD_USER_INPUT otherwise); default 50.", "Only sub-organisations of these kinds"})
}

// TestGracefulShutdown: SIGTERM stops the service cleanly, with exit status 0.
func TestGracefulShutdown(t *testing.T) {
	s := start(t, t.TempDir(), "--empty")
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.log)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20 s after SIGTERM")
	}
	if !strings.Contains(s.log.String(), "shutting down") {
		t.Fatalf("no shutdown in the log:\n%s", s.log)
	}
}
