package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// Import loads a whole dataset into the empty store: every record is checked
// first, then all are written in one transaction, so a failed import writes
// nothing.
func (s *Store) Import(ctx context.Context, src org.RecordReader) (org.ImportStats, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if len(s.g.orgs) > 0 {
		return org.ImportStats{}, org.Errorf(org.EConflict, "kho dữ liệu đã có dữ liệu; chỉ nhập vào kho trống")
	}
	orgs, members, err := readDataset(ctx, src)
	if err != nil {
		return org.ImportStats{}, err
	}
	if err := s.bulkPersist(orgs, members); err != nil {
		return org.ImportStats{}, fmt.Errorf("memory: import: %w", err)
	}
	g := newGraph()
	for _, r := range orgs {
		g.putOrg(*r)
	}
	for _, r := range members {
		g.putMember(*r)
	}
	s.mu.Lock()
	s.g = g
	s.trees.reset()
	s.mu.Unlock()
	return org.ImportStats{Orgs: len(orgs), Members: len(members)}, nil
}

// readDataset reads and checks every record: organisations first, then members.
func readDataset(ctx context.Context, src org.RecordReader) ([]*org.OrgRecord, []*org.MemberRecord, error) {
	ds := org.NewDataset()
	var orgs []*org.OrgRecord
	var members []*org.MemberRecord
	orgsChecked := false
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		rec, err := src.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch {
		case rec.Org != nil:
			if orgsChecked {
				return nil, nil, org.Errorf(org.EInvalid, "bản ghi %d: tổ chức %q đứng sau đảng viên; tổ chức phải đứng trước", n+1, rec.Org.ID)
			}
			if err := ds.AddOrg(rec.Org); err != nil {
				return nil, nil, err
			}
			orgs = append(orgs, rec.Org)
		case rec.Member != nil:
			if !orgsChecked {
				if err := ds.CheckOrgs(); err != nil {
					return nil, nil, err
				}
				orgsChecked = true
			}
			if err := ds.CheckMember(rec.Member); err != nil {
				return nil, nil, err
			}
			members = append(members, rec.Member)
		}
	}
	if !orgsChecked {
		if err := ds.CheckOrgs(); err != nil {
			return nil, nil, err
		}
	}
	if dup := duplicateID(members); dup != "" {
		return nil, nil, org.Errorf(org.EInvalid, "đảng viên %q xuất hiện hai lần", dup)
	}
	return orgs, members, nil
}

func duplicateID(members []*org.MemberRecord) string {
	seen := make(map[string]struct{}, len(members))
	for _, m := range members {
		if _, ok := seen[m.ID]; ok {
			return m.ID
		}
		seen[m.ID] = struct{}{}
	}
	return ""
}

// kv is one encoded record.
type kv struct{ k, v []byte }

// bulkPersist writes every record in one transaction. Values are encoded on
// every core, and keys go in sorted, which lets bbolt fill its pages.
func (s *Store) bulkPersist(orgs []*org.OrgRecord, members []*org.MemberRecord) error {
	ok, err := encodeAll(orgs, func(r *org.OrgRecord) string { return r.ID })
	if err != nil {
		return err
	}
	mk, err := encodeAll(members, func(r *org.MemberRecord) string { return r.ID })
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range []struct {
			name []byte
			kvs  []kv
		}{{orgBucket, ok}, {memberBucket, mk}} {
			bucket := tx.Bucket(b.name)
			bucket.FillPercent = 0.95
			for _, e := range b.kvs {
				if err := bucket.Put(e.k, e.v); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func encodeAll[R any](recs []R, id func(R) string) ([]kv, error) {
	out := make([]kv, len(recs))
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(recs); i += workers {
				v, err := encode(recs[i])
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = kv{[]byte(id(recs[i])), v}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b kv) int { return cmp.Compare(string(a.k), string(b.k)) })
	return out, nil
}

// Export writes every record, organisations then members, each in id order.
// It copies the records under the read lock and writes them after releasing
// it, so a slow reader of the export does not hold up writers.
func (s *Store) Export(ctx context.Context, dst org.RecordWriter) error {
	s.mu.RLock()
	orgs := make([]org.OrgRecord, 0, len(s.g.orgs))
	for _, e := range s.g.orgs {
		orgs = append(orgs, e.rec)
	}
	members := make([]org.MemberRecord, 0, len(s.g.members))
	for _, e := range s.g.members {
		members = append(members, e.rec)
	}
	s.mu.RUnlock()
	slices.SortFunc(orgs, func(a, b org.OrgRecord) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(members, func(a, b org.MemberRecord) int { return cmp.Compare(a.ID, b.ID) })
	for i := range orgs {
		if err := dst.Write(org.Record{Org: &orgs[i]}); err != nil {
			return err
		}
	}
	for i := range members {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := dst.Write(org.Record{Member: &members[i]}); err != nil {
			return err
		}
	}
	return nil
}
