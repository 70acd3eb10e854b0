package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// putProvince writes an organisation of its own, one group in the log.
func putProvince(t *testing.T, s *Store, id string) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx org.Tx) error {
		return tx.PutOrg(ctx, org.OrgRecord{ID: id, Versions: []org.Version{
			{Span: org.Span{Since: org.DateFrom(2020, 1, 1), Until: org.Forever}, Name: "Đảng bộ " + id, Kind: org.Province}}})
	}); err != nil {
		t.Fatal(err)
	}
}

// crashCopy copies the store's two files as a crash would leave them, the
// log cut at cut (the rest zeros, or garbage when torn), into a new directory.
func crashCopy(t *testing.T, db, log []byte, cut int, torn bool, rnd *rand.Rand) string {
	t.Helper()
	dir := t.TempDir()
	cutLog := make([]byte, len(log))
	copy(cutLog, log[:cut])
	if torn { // a record half written over what the log held
		for i := cut; i < min(cut+64, len(cutLog)); i++ {
			cutLog[i] = byte(rnd.UintN(256))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), db, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName+walSuffix), cutLog, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLogReplaysEveryWholeGroup: writes logged and not yet in the database
// file, the log then cut anywhere (a crash while a group was written), are
// found on the next Open up to the last whole group, in order, with no gap;
// audit entries keep their numbers; the store opens and takes writes after
// them. The log starts over several times on the way (walRestartAt made
// small), so that it holds records left from before it started over.
func TestLogReplaysEveryWholeGroup(t *testing.T) {
	rnd := rand.New(rand.NewPCG(testseed.Seed(t, 18), 1))
	restart := walRestartAt
	walRestartAt = 2 << 10
	defer func() { walRestartAt = restart }()
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	ctx := context.Background()
	// Groups before the checkpointer is held: the file gets them, the log
	// starts over.
	for i := range 20 {
		putProvince(t, s, fmt.Sprintf("a%02d", i))
		if err := s.checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	s.ckpt.mu.Lock() // nothing more reaches the file
	const n = 30
	// Where each organisation's group ends in the log, and each audit
	// entry's, written after every third organisation.
	ends, auditEnds := make([]int, n), []int{}
	end := func() int {
		s.persistMu.Lock()
		defer s.persistMu.Unlock()
		return int(s.wal.size)
	}
	for i := range n {
		putProvince(t, s, fmt.Sprintf("o%02d", i))
		ends[i] = end()
		if i%3 == 0 {
			if err := s.Audit(ctx, org.AuditEntry{Action: "thử", Target: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
			auditEnds = append(auditEnds, end())
		}
	}
	db, log := storeFiles(t, dir)
	s.ckpt.mu.Unlock()
	last := max(ends[n-1], auditEnds[len(auditEnds)-1])
	cuts := []int{0, last, len(log), ends[0], ends[0] - 1}
	for range 12 {
		cuts = append(cuts, rnd.IntN(last+1))
	}
	for k, cut := range cuts {
		c := crashCopy(t, db, log, cut, k%2 == 1 && cut < last, rnd)
		r, err := Open(c, nil)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		whole, wantAudits := 0, 0
		for i := range n {
			if ends[i] <= cut {
				whole = i + 1
			}
		}
		for _, e := range auditEnds {
			if e <= cut {
				wantAudits++
			}
		}
		g := r.active.Load().g
		for i := range n {
			_, found := g.orgs[fmt.Sprintf("o%02d", i)]
			if found != (i < whole) {
				t.Fatalf("cut at %d (%d whole groups): organisation %d found %v", cut, whole, i, found)
			}
		}
		for i := range 20 {
			if g.orgs[fmt.Sprintf("a%02d", i)] == nil {
				t.Fatalf("cut at %d: a group the file had is lost", cut)
			}
		}
		if got, _ := r.AuditCount(ctx); got != wantAudits {
			t.Fatalf("cut at %d: %d audit entries, want %d", cut, got, wantAudits)
		}
		putProvince(t, r, "after")
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		r, err = Open(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.active.Load().g.orgs["after"] == nil || len(r.active.Load().g.orgs) != 20+whole+1 {
			t.Fatalf("cut at %d: reopened with %d organisations, want %d", cut, len(r.active.Load().g.orgs), 20+whole+1)
		}
		page, err := r.AuditLog(ctx, org.AuditQuery{First: 100})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range page.Entries {
			if e.Seq != int64(wantAudits-i) {
				t.Fatalf("cut at %d: audit entries numbered %d at %d", cut, e.Seq, i)
			}
		}
		r.Close()
	}
}

// TestLogBesideANewFileIsNotReplayed: a log left in a directory whose
// database file was moved away belongs to that file, not to the new one.
func TestLogBesideANewFileIsNotReplayed(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	s.ckpt.mu.Lock() // the write stays in the log only
	putProvince(t, s, "x")
	log, err := os.ReadFile(filepath.Join(dir, FileName+walSuffix))
	s.ckpt.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, FileName+walSuffix), log, 0o600); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, other, nil)
	if n := len(r.active.Load().g.orgs); n != 0 {
		t.Fatalf("a new file took %d organisations from a log left beside it", n)
	}
}

// TestLoggedChangesAreRead: the changes of writes in the log and not yet in
// the file are listed by the live feed and read whole, in order after those
// in the file.
func TestLoggedChangesAreRead(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), nil)
	record := func(n int) {
		for range n {
			c := &org.Change{Type: org.ChangeAdmitted, EffectiveOn: org.DateFrom(2024, 1, 1), Subjects: []string{"m"}, Scope: []string{"x"},
				Decision: org.Decision{Number: "1", Date: org.DateFrom(2024, 1, 1), IssuerID: "x"}}
			if err := s.Update(ctx, func(tx org.Tx) error { return tx.RecordChange(ctx, c) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	record(3)
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	s.ckpt.mu.Lock() // the next ones stay in the log
	defer s.ckpt.mu.Unlock()
	record(4)
	for _, after := range []int64{0, 2, 3, 5} {
		got, err := s.ChangesAfter(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != int(7-after) {
			t.Fatalf("after %d: %d changes, want %d", after, len(got), 7-after)
		}
		for i, c := range got {
			if c.Seq != after+int64(i)+1 {
				t.Fatalf("after %d: change %d numbered %d", after, i, c.Seq)
			}
		}
	}
	if got, _ := s.ChangesAfter(ctx, 1, 4); len(got) != 4 || got[3].Seq != 5 {
		t.Fatalf("a page of 4 after 1: %d changes", len(got))
	}
	changes, err := s.readChanges([]int64{6, 2, 7})
	if err != nil || len(changes) != 3 || changes[0].Seq != 6 || changes[1].Seq != 2 || changes[2].Seq != 7 {
		t.Fatalf("read whole: %v, %v", changes, err)
	}
}

// BenchmarkLogVersusFile is the floor of a durable write on this disk: one
// group of a write's size (a member, a change, an audit entry) made durable
// by the log (one write, one fdatasync) and by a bbolt commit (its pages,
// fdatasync, its meta page, fdatasync), alternately, in the same run; it
// reports both p50s and their ratio.
func BenchmarkLogVersusFile(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var p payload
	for i := range 2000 { // a file of some depth
		p.put(memberBucket, fmt.Appendf(nil, "m%05d", i), make([]byte, 900))
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return applyOps(tx, p.b) }); err != nil {
		b.Fatal(err)
	}
	var logged, filed []time.Duration
	for i := 0; b.Loop(); i++ {
		var p payload
		p.put(memberBucket, fmt.Appendf(nil, "m%05d", i%2000), make([]byte, 900))
		p.put(changeBucket, seqKey(int64(i+1)), make([]byte, 2500))
		p.put(auditBucket, seqKey(int64(i+1)), make([]byte, 300))
		start := time.Now()
		s.persistMu.Lock()
		err := s.wal.append(p.b)
		if s.wal.size > walRestartAt { // as a checkpoint would
			s.wal.size = 0
		}
		s.persistMu.Unlock()
		logged = append(logged, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if err := s.db.Update(func(tx *bolt.Tx) error { return applyOps(tx, p.b) }); err != nil {
			b.Fatal(err)
		}
		filed = append(filed, time.Since(start))
	}
	b.ReportMetric(float64(median(logged).Microseconds()), "log-p50-µs")
	b.ReportMetric(float64(median(filed).Microseconds()), "file-p50-µs")
	b.ReportMetric(float64(median(filed))/float64(median(logged)), "file/log")
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// storeFiles reads the store's file and its write-ahead log in dir, as a
// crash would leave them.
func storeFiles(t *testing.T, dir string) (db, log []byte) {
	t.Helper()
	db, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	log, err = os.ReadFile(filepath.Join(dir, FileName+walSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return db, log
}

// TestDamageInsideTheLogIsRefused: a byte changed anywhere in the log's
// groups that the file lacks either cuts the last group short, as a crash
// would (the store opens with the groups before it), or lies before a whole
// group, whose acknowledged write would be lost: then the store refuses to
// open, says which byte, and leaves both files as they were.
func TestDamageInsideTheLogIsRefused(t *testing.T) {
	rnd := rand.New(rand.NewPCG(testseed.Seed(t, 1207), 3))
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	s.ckpt.mu.Lock() // nothing reaches the file
	const n = 12
	ends := make([]int, n)
	for i := range n {
		putProvince(t, s, fmt.Sprintf("o%02d", i))
		s.persistMu.Lock()
		ends[i] = int(s.wal.size)
		s.persistMu.Unlock()
	}
	db, log := storeFiles(t, dir)
	s.ckpt.mu.Unlock()
	lastStart := ends[n-2]
	for k := range 16 {
		at := rnd.IntN(ends[n-1])
		if k == 0 {
			at = lastStart + walHeader // inside the last group: a torn tail
		}
		damaged := slices.Clone(log)
		damaged[at] ^= byte(1 + rnd.IntN(255))
		c := crashCopy(t, db, damaged, len(damaged), false, rnd)
		r, err := Open(c, nil)
		if at >= lastStart {
			if err != nil {
				t.Fatalf("byte %d of the last group: %v", at, err)
			}
			if got := len(r.active.Load().g.orgs); got != n-1 {
				t.Fatalf("byte %d of the last group: %d organisations, want %d", at, got, n-1)
			}
			r.Close()
			continue
		}
		var de *DamagedError
		if !errors.As(err, &de) {
			if err == nil {
				r.Close()
			}
			t.Fatalf("byte %d of %d changed: opened with %v, want the log refused", at, ends[n-1], err)
		}
		if after, _ := os.ReadFile(filepath.Join(c, FileName+walSuffix)); !slices.Equal(after, damaged) {
			t.Fatalf("byte %d: the log was changed", at)
		}
	}
}

// TestFailedWritesAreUnavailable: a write whose group cannot be logged
// because the disk is full (the log moved onto /dev/full) fails as
// UNAVAILABLE, in Vietnamese, and keeps nothing: the store reads as before.
// WriteFailure tells it from then on, and no more once a write succeeds.
func TestFailedWritesAreUnavailable(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_RDWR, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	if _, err := s.WriteFailure(); err != nil {
		t.Fatalf("a fresh store's writes fail: %v", err)
	}
	s.persistMu.Lock()
	s.wal.f.Close()
	s.wal.f = full
	s.persistMu.Unlock()
	ctx := context.Background()
	put := func(id string) error {
		return s.Update(ctx, func(tx org.Tx) error {
			return tx.PutOrg(ctx, org.OrgRecord{ID: id, Versions: []org.Version{
				{Span: org.Span{Since: org.DateFrom(2020, 1, 1), Until: org.Forever}, Name: "Đảng bộ " + id, Kind: org.Province}}})
		})
	}
	before := time.Now()
	err = put("olost")
	if org.ErrorCode(err) != org.EUnavailable || !strings.Contains(org.ErrorMessage(err), "không ghi được") {
		t.Fatalf("err = %v", err)
	}
	if s.active.Load().g.orgs["olost"] != nil {
		t.Fatal("the failed write is read")
	}
	since, ferr := s.WriteFailure()
	if org.ErrorCode(ferr) != org.EUnavailable || since.Before(before) {
		t.Fatalf("after a failed write: since %v, err %v", since, ferr)
	}
	if err := put("olost2"); err == nil {
		t.Fatal("a write onto the full disk succeeded")
	}
	if again, _ := s.WriteFailure(); !again.Equal(since) {
		t.Fatalf("the failure moved from %v to %v", since, again)
	}
	// Space again: the log back on the data directory's disk. /dev/full
	// refused the zeroing of the failed groups' headers too; the next write
	// goes over them, without a restart.
	f, err := os.OpenFile(filepath.Join(dir, FileName+walSuffix), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.persistMu.Lock()
	s.wal.f = f
	s.persistMu.Unlock()
	if err := put("okept"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteFailure(); err != nil {
		t.Fatalf("after a write succeeded: %v", err)
	}
}
