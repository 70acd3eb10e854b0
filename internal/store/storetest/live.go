package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"dangbo/internal/org"
	"dangbo/internal/testseed"
)

// liveWait bounds how long a stream may take to deliver a committed change;
// a store without commit signals is polled every livePoll.
const (
	liveWait = 10 * time.Second
	livePoll = 10 * time.Millisecond
)

// follow subscribes ctx's caller to the changes q selects, failing the test
// otherwise; the stream ends with the test.
func (f *fixture) follow(ctx context.Context, q org.ChangeQuery) *org.Stream {
	f.t.Helper()
	return f.resume(ctx, q, nil)
}

// resume is follow after change number after.
func (f *fixture) resume(ctx context.Context, q org.ChangeQuery, after *int64) *org.Stream {
	f.t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	f.t.Cleanup(cancel)
	st, err := f.svc.Follow(ctx, q, after)
	if err != nil {
		f.t.Fatalf("Follow(%+v): %v", q, err)
	}
	return st
}

// next is the stream's next change, failing the test if none comes in time.
func next(t *testing.T, st *org.Stream) org.Change {
	t.Helper()
	select {
	case c, ok := <-st.C:
		if !ok {
			t.Fatalf("the stream ended: %v", st.Err())
		}
		return c
	case <-time.After(liveWait):
		t.Fatal("no change arrived")
	}
	return org.Change{}
}

// ended waits for the stream to end and returns why.
func ended(t *testing.T, st *org.Stream) error {
	t.Helper()
	timeout := time.After(liveWait)
	for {
		select {
		case _, ok := <-st.C:
			if !ok {
				return st.Err()
			}
		case <-timeout:
			t.Fatal("the stream did not end")
		}
	}
}

// stopsFollowing waits, once the test's streams have ended, until the
// feed's reader stops: it reads the store on no test's behalf, and a test
// that follows may change what the store's reads use (a tracer).
func (f *fixture) stopsFollowing() {
	f.t.Cleanup(func() {
		for deadline := time.Now().Add(liveWait); f.svc.Following(); time.Sleep(livePoll) {
			if time.Now().After(deadline) {
				f.t.Error("the feed still reads with no stream left")
				return
			}
		}
	})
}

// testLiveChanges: a stream receives an operation's change as it commits,
// and ends when its caller's token expires, when what it follows leaves the
// caller's scope, when its caller falls too far behind; a caller opens no
// more than their limit of streams.
func testLiveChanges(t *testing.T, f *fixture) {
	f.stopsFollowing()
	f.svc.SetPollInterval(livePoll)
	c := f.commune()
	admin := f.follow(f.ctx, org.ChangeQuery{})
	officer := org.WithPrincipal(context.Background(), &org.Principal{Subject: "can-bo", Roles: []org.AccessRole{org.Officer}, Scope: []string{c.commune.ID}})
	renames := f.follow(officer, org.ChangeQuery{Types: []org.ChangeType{org.ChangeRenamed}})

	admitted, err := f.svc.AdmitMember(f.ctx, org.NewMember{CellID: c.village.ID, FullName: "Phạm Thị Dung",
		Personal: org.Personal{BirthDate: new(org.DateFrom(1990, 3, 2))}}, f.by(c.commune.ID))
	if err != nil {
		t.Fatal(err)
	}
	renamed, err := f.svc.RenameOrg(f.ctx, c.school.ID, "Chi bộ Trường Tiểu học xã Tam Hồng", f.by(c.commune.ID))
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, admin); got.Seq != admitted.Seq || got.Type != org.ChangeAdmitted || len(got.After) != 1 {
		t.Fatalf("the admin's stream gave %+v, want the admission %+v", got, admitted)
	}
	if got := next(t, admin); got.Seq != renamed.Seq {
		t.Fatalf("then %d, want the rename %d", got.Seq, renamed.Seq)
	}
	// The officer's stream, of renames only, skips the admission.
	if got := next(t, renames); got.Seq != renamed.Seq || got.Type != org.ChangeRenamed {
		t.Fatalf("the officer's stream of renames gave %d %v, want %d", got.Seq, got.Type, renamed.Seq)
	}

	// A stream resumed after a change gives those recorded since first,
	// as its caller sees them, then the live ones; not too far back.
	resumed := f.resume(officer, org.ChangeQuery{}, new(admitted.Seq-1))
	if got := next(t, resumed); got.Seq != admitted.Seq || len(got.After) != 1 || got.After[0].Member.Personal.BirthDate == nil {
		t.Fatalf("resumed, the officer's stream gave %+v first, want the admission %d with its personal data", got, admitted.Seq)
	}
	if got := next(t, resumed); got.Seq != renamed.Seq {
		t.Fatalf("then %d, want the rename %d", got.Seq, renamed.Seq)
	}
	_, err = f.svc.Follow(officer, org.ChangeQuery{}, new(int64(-1)))
	wantCode(t, err, org.EInvalid, "")

	// A stream ends with its caller's token.
	expiring := org.WithPrincipal(context.Background(), &org.Principal{Subject: "het-han", Roles: []org.AccessRole{org.Viewer},
		Scope: []string{c.commune.ID}, Expires: time.Now().Add(200 * time.Millisecond)})
	wantCode(t, ended(t, f.follow(expiring, org.ChangeQuery{})), org.EUnauthorized, "")

	// A stream within a cell ends, NOT_FOUND as `changes` then answers,
	// once the cell leaves the caller's scope; the change that moved it is
	// not theirs to read either.
	village := f.follow(officer, org.ChangeQuery{Within: c.village.ID})
	if _, err := f.svc.TransferOrg(f.ctx, c.village.ID, c.agency.ID, f.by(c.province.ID)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ended(t, village), org.ENotFound, "")
	_, err = f.svc.Changes(officer, org.ChangeQuery{Within: c.village.ID, First: 1})
	wantCode(t, err, org.ENotFound, "")
	next(t, admin)

	// A caller who reads nothing is dropped once StreamBuffer changes wait
	// for them, and the writers never wait for them. The admin's stream,
	// read all along, tells when the feed has read each change. The idle
	// stream follows admissions only, so that a rename after them tells,
	// once the admin's stream has it, that the feed has finished handing
	// out the last admission: it reads the rename only then, while the
	// admin's stream may have the admission before the idle one is offered
	// it, and reading the idle stream then would make room for it.
	idle := f.follow(org.WithPrincipal(context.Background(), &org.Principal{Subject: "cham", Roles: []org.AccessRole{org.Viewer},
		Scope: []string{c.commune.ID}}), org.ChangeQuery{Types: []org.ChangeType{org.ChangeAdmitted}})
	seen := make(chan int64, 2*org.StreamBuffer) // so that the admin's reader keeps up
	go func() {
		for c := range admin.C {
			seen <- c.Seq
		}
		close(seen)
	}()
	reaches := func(change org.Change, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for seq := range seen {
			if seq == change.Seq {
				return
			}
		}
		t.Fatalf("the admin's stream, read all along, ended before change %d", change.Seq)
	}
	// The buffer counts reads of the feed: each admission is read on its
	// own once the admin's stream has received the one before. The stream
	// holds one read in hand besides its buffer.
	for i := range org.StreamBuffer + 2 {
		reaches(f.svc.AdmitMember(f.ctx, org.NewMember{CellID: c.school.ID, FullName: fmt.Sprintf("Đảng viên %d", i),
			Personal: org.Personal{BirthDate: new(org.DateFrom(1990, 3, 2))}}, f.by(c.commune.ID)))
	}
	reaches(f.svc.RenameOrg(f.ctx, c.school.ID, "Chi bộ Trường Tiểu học Tam Hồng", f.by(c.commune.ID)))
	wantCode(t, ended(t, idle), org.ELimitExceeded, "")

	// One commit of more changes than a stream buffers reads (a scenario of
	// hundreds of operations applied) reaches a stream that keeps up.
	large := f.follow(f.ctx, org.ChangeQuery{Within: c.school.ID})
	before, err := f.s.(org.Feed).LastSeq(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Update(f.ctx, func(tx org.Tx) error {
		for range org.MaxBacklog {
			ch := org.Change{Type: org.ChangeRenamed, EffectiveOn: today, Actor: "system", RecordedAt: time.Now().UTC(),
				Decision: org.Decision{Number: "1-QĐ/ĐU", Date: today, IssuerID: c.commune.ID},
				Subjects: []string{c.school.ID}, Scope: []string{c.school.ID}}
			if err := tx.RecordChange(f.ctx, &ch); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range int64(org.MaxBacklog) {
		if got := next(t, large); got.Seq != before+1+i {
			t.Fatalf("change %d of the large commit arrived as %d", before+1+i, got.Seq)
		}
	}
	// A stream resumes from any change up to MaxBacklog numbers back, not
	// further, nor after the last one.
	tail := f.resume(f.ctx, org.ChangeQuery{Within: c.school.ID}, new(before+org.MaxBacklog-2))
	for _, want := range []int64{before + org.MaxBacklog - 1, before + org.MaxBacklog} {
		if got := next(t, tail); got.Seq != want {
			t.Fatalf("resumed near the end of the large commit: %d, want %d", got.Seq, want)
		}
	}
	_, err = f.svc.Follow(officer, org.ChangeQuery{}, new(before-1))
	wantCode(t, err, org.ELimitExceeded, "")
	_, err = f.svc.Follow(officer, org.ChangeQuery{}, new(before+org.MaxBacklog+1))
	wantCode(t, err, org.EInvalid, "")

	// A caller has at most the limit of streams open; others are not held
	// back by it, and a stream that ends frees its place.
	f.svc.SetStreamLimit(2)
	two := org.WithPrincipal(context.Background(), &org.Principal{Subject: "hai-luong", Roles: []org.AccessRole{org.Viewer}, Scope: []string{c.commune.ID}})
	ctx, cancel := context.WithCancel(two)
	defer cancel()
	first, err := f.svc.Follow(ctx, org.ChangeQuery{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.follow(two, org.ChangeQuery{})
	_, err = f.svc.Follow(two, org.ChangeQuery{}, nil)
	wantCode(t, err, org.ELimitExceeded, "")
	f.follow(officer, org.ChangeQuery{})
	cancel()
	if err := ended(t, first); err != nil {
		t.Fatalf("a stream whose context ended: %v", err)
	}
	f.follow(two, org.ChangeQuery{})
}

// testLiveChangesScoped: whatever operations run, each caller's stream
// delivers, in order, exactly the changes `changes` lists to that caller
// at that moment, trimmed as it trims them: a change that touches nothing
// of the caller's subtree never arrives, and one that moves a cell in or
// out of it arrives naming nothing outside it.
func testLiveChangesScoped(t *testing.T, f *fixture) {
	f.stopsFollowing()
	f.svc.SetPollInterval(livePoll)
	c := f.commune()
	// A second district with a commune and cells, for moves across scopes.
	district2 := f.createOrg(c.province.ID, "Đảng bộ huyện Sông Lô", org.District, org.SectorOther)
	commune2 := f.createOrg(district2.ID, "Đảng bộ xã Bạch Lưu", org.GrassrootsCommittee, org.SectorCommune)
	cells := []string{c.village.ID, c.village2.ID, c.school.ID, c.agencyCell.ID}
	for _, name := range []string{"Chi bộ thôn Bạch Lưu", "Chi bộ thôn Yên Lập", "Chi bộ Trạm Y tế Bạch Lưu"} {
		cells = append(cells, f.createOrg(commune2.ID, name, org.Cell, org.SectorVillage).ID)
	}
	communes := []string{c.commune.ID, commune2.ID, c.agency.ID}

	type follower struct {
		name string
		ctx  context.Context
		st   *org.Stream
	}
	viewer := func(name string, scope string) follower {
		ctx := org.WithPrincipal(context.Background(), &org.Principal{Subject: name, Roles: []org.AccessRole{org.Viewer}, Scope: []string{scope}})
		return follower{name: name, ctx: ctx, st: f.follow(ctx, org.ChangeQuery{})}
	}
	followers := []follower{
		{name: "admin", ctx: f.ctx, st: f.follow(f.ctx, org.ChangeQuery{})},
		viewer("district 1", c.district.ID), viewer("district 2", district2.ID),
		viewer("commune 1", c.commune.ID), viewer("bloc", c.bloc.ID), viewer("village", c.village.ID),
	}
	feed := f.s.(org.Feed)
	last, err := feed.LastSeq(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// check compares each stream with what changes lists its caller of the
	// changes recorded since the last check.
	check := func(step string) {
		t.Helper()
		now, err := feed.LastSeq(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range followers {
			page, err := f.svc.Changes(fl.ctx, org.ChangeQuery{First: org.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			want := slices.DeleteFunc(page.Changes, func(ch org.Change) bool { return ch.Seq <= last || ch.Seq > now })
			slices.SortFunc(want, func(a, b org.Change) int { return int(a.Seq - b.Seq) })
			for _, w := range want {
				if got := next(t, fl.st); !reflect.DeepEqual(got, w) {
					t.Fatalf("%s: %s's stream gave change %d %v, want %d %v as changes lists it:\n got %+v\nwant %+v",
						step, fl.name, got.Seq, got.Type, w.Seq, w.Type, got, w)
				}
			}
		}
		last = now
	}

	rng := rand.New(rand.NewPCG(testseed.Seed(t, 2), 19))
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	parentOn := func(id string, d org.Date) string {
		o, err := f.s.Org(f.ctx, org.View{At: d}, id)
		if err != nil {
			return ""
		}
		return o.ParentID
	}
	// Members admitted along the way, each with the cell admitted to, for
	// residence links across the scopes: such a change reaches a subtree
	// through the residence cell alone.
	type admittedMember struct{ id, cell string }
	var members []admittedMember
	applied := 0
	for i := range 40 {
		// Mostly in date order, some recorded late.
		d := today + org.Date(2*i)
		if rng.IntN(4) == 0 {
			d -= org.Date(rng.IntN(10))
		}
		var err error
		op := rng.IntN(6)
		if op >= 4 && len(members) == 0 {
			op = 2
		}
		switch op {
		case 0:
			cell, to := pick(cells), pick(communes)
			_, err = f.svc.TransferOrg(f.ctx, cell, to, f.byOn(c.province.ID, max(d, today)))
		case 1:
			cell := pick(cells)
			_, err = f.svc.RenameOrg(f.ctx, cell, fmt.Sprintf("Chi bộ số %d", i), f.byOn(parentOn(cell, d), d))
		case 2:
			cell := pick(cells)
			var ch org.Change
			ch, err = f.svc.AdmitMember(f.ctx, org.NewMember{CellID: cell, FullName: fmt.Sprintf("Đảng viên %d", i),
				Personal: org.Personal{BirthDate: new(org.DateFrom(1990, 3, 2))}}, f.byOn(parentOn(cell, d), d))
			if err == nil {
				members = append(members, admittedMember{ch.Subjects[0], cell})
			}
		case 4:
			m := members[rng.IntN(len(members))]
			_, err = f.svc.SetResidence(f.ctx, m.id, pick(cells), f.byOn(parentOn(m.cell, d), d))
		case 5:
			m := members[rng.IntN(len(members))]
			_, err = f.svc.EndResidence(f.ctx, m.id, f.byOn(parentOn(m.cell, d), d))
		case 3:
			parent := pick(communes)
			var ch org.Change
			ch, err = f.svc.EstablishOrg(f.ctx, org.NewOrg{ParentID: parent, Name: fmt.Sprintf("Chi bộ mới %d", i),
				Kind: org.Cell, Sector: org.SectorVillage}, f.byOn(parent, d))
			if err == nil {
				cells = append(cells, ch.Subjects[0])
			}
		}
		switch {
		case err == nil:
			applied++
		case !slices.Contains([]string{org.ENotFound, org.ERule, org.EInvalid, org.EConflict}, org.ErrorCode(err)):
			t.Fatalf("operation %d: %v", i, err)
		}
		check(fmt.Sprintf("operation %d", i))
	}
	if applied < 20 {
		t.Fatalf("only %d of 40 operations applied: the test exercises too little", applied)
	}
	// A last change in every scope: a stream that had received anything
	// more would have given it before this one.
	for _, id := range []string{c.commune.ID, district2.ID, c.bloc.ID, c.village.ID} {
		if _, err := f.svc.RenameOrg(f.ctx, id, "Tên cuối", f.by(parentOn(id, today))); err != nil {
			t.Fatal(err)
		}
	}
	check("the last renames")
}
