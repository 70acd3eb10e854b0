package memory

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dangbo/internal/org"
)

// The crash tests run this test binary as a child that writes until it is
// killed; see TestKillNineLosesNoCommittedWrite and TestKillNineDuringImport.
func TestMain(m *testing.M) {
	if dir := os.Getenv("DANGBO_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	if dir := os.Getenv("DANGBO_IMPORT_CHILD"); dir != "" {
		importChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild creates members forever in the store at dir, each followed by a
// change in the history, printing each id, and each change's "change seq",
// once its write has returned, that is, once it is committed; crashWriters
// goroutines write at once.
func crashChild(dir string) {
	s, err := Open(dir, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	svc := org.NewService(s, nil)
	ctx = org.WithPrincipal(ctx, org.System)
	roots, _ := s.Roots(ctx, svc.Now())
	var cell string
	if len(roots) == 0 {
		p, _ := svc.CreateOrg(ctx, org.NewOrg{Name: "Tỉnh", Kind: org.Province})
		g, _ := svc.CreateOrg(ctx, org.NewOrg{ParentID: p.ID, Name: "Xã", Kind: org.GrassrootsCell, Sector: org.SectorCommune})
		cell = g.ID
	} else {
		page, _ := s.Children(ctx, svc.Now(), roots[0].ID, org.PageQuery{First: 1}, nil)
		cell = page.Orgs[0].ID
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	say := func(a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(out, a...)
		out.Flush()
	}
	fail := func(err error) {
		say("error:", err)
		os.Exit(2)
	}
	// Writers at once, so that their writes share fsyncs (group commit).
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			for i := 0; ; i++ {
				m, err := svc.CreateMember(ctx, org.NewMember{CellID: cell, FullName: fmt.Sprintf("Đảng viên %d-%d", w, i), Status: org.Probationary})
				if err != nil {
					fail(err)
				}
				say(m.ID)
				c := &org.Change{Type: org.ChangeAdmitted, EffectiveOn: svc.Today(), Subjects: []string{m.ID}, Scope: []string{cell},
					Decision: org.Decision{Number: m.ID, Date: svc.Today(), IssuerID: cell}}
				if err := s.Update(ctx, func(tx org.Tx) error { return tx.RecordChange(ctx, c) }); err != nil {
					fail(err)
				}
				say("change", c.Seq)
				// One scenario, rewritten by every round of every writer:
				// its rev counts the writes, each reading the one before,
				// queued or published.
				var rev int64
				if err := s.Update(ctx, func(tx org.Tx) error {
					sc, err := tx.Scenario(ctx, crashScenario)
					if org.ErrorCode(err) == org.ENotFound {
						sc, err = org.Scenario{ID: crashScenario, Name: "Phương án", Within: cell, BaseAsOf: svc.Today()}, nil
					}
					if err != nil {
						return err
					}
					sc.NextKey++
					sc.Ops = append(sc.Ops, org.Operation{Key: sc.NextKey, Type: org.OpTransferMember, MemberID: m.ID, CellID: cell})
					if err := tx.PutScenario(ctx, sc); err != nil {
						return err
					}
					rev = sc.Rev + 1
					return nil
				}); err != nil {
					fail(err)
				}
				say("scenario", rev)
			}
		})
	}
	wg.Wait()
}

// crashWriters write at once in the crash child.
const crashWriters = 4

// startChild runs this test binary as the child that the environment
// variable env names, on the store at dir, and returns it with its output.
func startChild(t *testing.T, env, dir string) (*exec.Cmd, io.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stdout
}

// crashScenario is the id of the scenario the crash child rewrites.
const crashScenario = "scrash"

func TestKillNineLosesNoCommittedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	committed := map[string]bool{}
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 5 {
		cmd, stdout := startChild(t, "DANGBO_CRASH_CHILD", dir)
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// The kill lands at a random moment after the child's first write.
		var deadline <-chan time.Time
		startup := time.After(30 * time.Second)
		n := 0
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: child exited early", round)
				}
				if strings.HasPrefix(l, "error") || strings.HasPrefix(l, "open") {
					t.Fatalf("round %d: child: %s", round, l)
				}
				committed[l] = true
				if n++; n == 1 {
					deadline = time.After(time.Duration(rng.IntN(200)) * time.Millisecond)
				}
			case <-deadline:
				break read
			case <-startup:
				t.Fatalf("round %d: the child wrote nothing in 30 s", round)
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines { // ids printed before the kill landed are committed too
			committed[l] = true
		}
		_ = cmd.Wait()

		s, err := Open(dir, nil)
		if err != nil {
			t.Fatalf("round %d: the file does not open after kill -9: %v", round, err)
		}
		ms := make([]string, 0, len(committed))
		changes := map[int64]bool{}
		var scenarioRev int64 // the latest committed
		for l := range committed {
			if seq, ok := strings.CutPrefix(l, "change "); ok {
				n, _ := strconv.ParseInt(seq, 10, 64)
				changes[n] = true
			} else if rev, ok := strings.CutPrefix(l, "scenario "); ok {
				n, _ := strconv.ParseInt(rev, 10, 64)
				scenarioRev = max(scenarioRev, n)
			} else {
				ms = append(ms, l)
			}
		}
		listed := allChanges(t, s, org.ChangeQuery{}, org.MaxPageSize)
		for i, c := range listed {
			if c.Seq != int64(i+1) { // one date: in sequence order, none lost, none twice
				t.Fatalf("round %d: change %d listed at position %d", round, c.Seq, i+1)
			}
			delete(changes, c.Seq)
		}
		if len(changes) > 0 {
			t.Fatalf("round %d: %d committed changes lost after kill -9", round, len(changes))
		}
		// The scenario is the last one committed, or one written after it
		// whose commit the kill beat to the output; each write added an operation.
		if scenarioRev > 0 {
			sc, err := s.Scenario(context.Background(), crashScenario)
			if err != nil || sc.Rev < scenarioRev || len(sc.Ops) != int(sc.Rev) || sc.NextKey != int(sc.Rev) {
				t.Fatalf("round %d: scenario after kill -9 = rev %d, %d operations, %v; committed rev %d",
					round, sc.Rev, len(sc.Ops), err, scenarioRev)
			}
		}
		got, _ := s.Members(context.Background(), org.View{At: org.Today()}, ms)
		for i, m := range got {
			if m.ID != ms[i] {
				t.Fatalf("round %d: committed member %s lost after kill -9", round, ms[i])
			}
		}
		s.Close()
		t.Logf("round %d: %d writes committed before kill -9, all %d so far present, %d changes, scenario rev %d",
			round, n, len(committed), len(listed), scenarioRev)
	}
}
