package memory

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// A file that versions before yearly facts carried their date wrote holds
// ratings and counts of meetings without one, which reads take as decided on
// 31 December of their year (org/yearly.go). Open dates them once, from the
// history, as the Neo4j store's migration does (org.FactDates): the records
// in memory and in the file, and the records of every stored change that
// holds them, so that a change reads as the store did on its date. The file
// then carries a mark, set in the same transaction: a crash before it leaves
// the file as it was, to be dated again, the same way.
var (
	metaBucket = []byte("meta")
	factsDated = []byte("factsDated") // the yearly facts are dated
)

// dateFacts dates the undated yearly facts of g, which load read from the
// file, and of the stored history, unless the file is marked as dated; a
// file without changes that record facts, a fresh one, is only marked. It
// runs before the store serves, once the log's groups are in the file: no
// write can come between its reads and its writes.
func (s *Store) dateFacts(g *graph) error {
	marked := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(metaBucket)
		marked = b != nil && b.Get(factsDated) != nil
		return nil
	}); err != nil || marked {
		return err
	}
	start := time.Now()
	recorders := map[int64]bool{} // the changes that record yearly facts
	for _, h := range g.history.heads {
		if h.Type == org.ChangeRated || h.Type == org.ChangeMeetingsRecorded {
			recorders[h.Seq] = true
		}
	}
	var d dated
	err := s.db.Update(func(tx *bolt.Tx) error {
		if len(recorders) > 0 { // without them, nothing is dated
			var err error
			if d, err = dateHistory(tx.Bucket(changeBucket), recorders, g); err != nil {
				return err
			}
		}
		ob, mb := tx.Bucket(orgBucket), tx.Bucket(memberBucket)
		for _, e := range d.orgs {
			if err := ob.Put([]byte(e.rec.ID), encodeOrg(nil, &e.rec)); err != nil {
				return err
			}
		}
		for _, e := range d.members {
			if err := mb.Put([]byte(e.rec.ID), encodeMember(nil, &e.rec)); err != nil {
				return err
			}
		}
		meta, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		return meta.Put(factsDated, []byte{1})
	})
	if err != nil {
		return fmt.Errorf("memory: date the yearly facts: %w", err)
	}
	if d.changes+len(d.orgs)+len(d.members) > 0 {
		s.log.Info("dated the ratings and counts of meetings an earlier version recorded without their date",
			"changes", d.changes, "orgs", len(d.orgs), "members", len(d.members), "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// undate removes the mark that the file's yearly facts are dated.
func undate(tx *bolt.Tx) error {
	if b := tx.Bucket(metaBucket); b != nil {
		return b.Delete(factsDated)
	}
	return nil
}

// dated is what dateHistory dated: how many changes it rewrote, and the
// entries whose records it changed.
type dated struct {
	changes int
	orgs    []*orgEntry
	members []*memberEntry
}

// dateHistory dates the records of the changes in b in number order,
// rewriting those it dates, and then g's records. It reads whole only the
// changes that record yearly facts (recorders) and those with a record of
// what one of them rated.
func dateHistory(b *bolt.Bucket, recorders map[int64]bool, g *graph) (dated, error) {
	// Decoding and encoding run on every core; values read stay valid
	// until the transaction ends, and the bucket is read by one goroutine.
	decode := func(keys, values [][]byte) ([]*org.Change, error) {
		out := make([]*org.Change, len(keys))
		return out, parallel(len(keys), func(i int) error {
			out[i] = &org.Change{}
			if err := json.Unmarshal(values[i], out[i]); err != nil {
				return fmt.Errorf("change %d: %w", binary.BigEndian.Uint64(keys[i]), err)
			}
			return nil
		})
	}
	// The recorders first, for what they rated.
	var keys, values [][]byte
	for seq := range recorders {
		k := seqKey(seq)
		keys, values = append(keys, k), append(values, b.Get(k))
	}
	chs, err := decode(keys, values)
	if err != nil {
		return dated{}, err
	}
	rated := map[string]bool{}
	recorded := map[int64]*org.Change{}
	for _, ch := range chs {
		recorded[ch.Seq] = ch
		for _, r := range ch.After {
			rated[r.ID()] = true
		}
	}
	// Then, in number order, they and the changes with records of what they
	// rated.
	first := slices.Min(slices.Collect(maps.Keys(recorded)))
	keys, values, chs = keys[:0], values[:0], chs[:0]
	c := b.Cursor()
	for k, v := c.Seek(seqKey(first)); k != nil; k, v = c.Next() {
		if ch := recorded[int64(binary.BigEndian.Uint64(k))]; ch != nil {
			chs = append(chs, ch)
		} else if recordsAny(v, rated) {
			keys, values = append(keys, k), append(values, v)
		}
	}
	others, err := decode(keys, values)
	if err != nil {
		return dated{}, err
	}
	chs = append(chs, others...)
	slices.SortFunc(chs, func(a, b *org.Change) int { return cmp.Compare(a.Seq, b.Seq) })
	dates := org.FactDates{}
	n := 0
	for _, ch := range chs {
		if dates.DateChange(ch) {
			chs[n], n = ch, n+1
		}
	}
	chs = chs[:n]
	puts := make([]kv, len(chs))
	if err := parallel(len(chs), func(i int) (err error) {
		puts[i].k = seqKey(chs[i].Seq)
		puts[i].v, err = encode(chs[i])
		return err
	}); err != nil {
		return dated{}, err
	}
	for _, p := range puts {
		if err := b.Put(p.k, p.v); err != nil {
			return dated{}, err
		}
	}
	// Only what the recorders rated has facts to date.
	d := dated{changes: len(puts)}
	for id := range rated {
		if e := g.orgs[id]; e != nil && dates.DateOrg(&e.rec) {
			d.orgs = append(d.orgs, e)
		}
		if e := g.members[id]; e != nil && dates.DateMember(&e.rec) {
			d.members = append(d.members, e)
		}
	}
	return d, nil
}

// recordsAny reports whether stored change v may hold a record of one of
// ids: whether any "id" in it is one of them.
func recordsAny(v []byte, ids map[string]bool) bool {
	key := []byte(`"id":"`)
	for {
		i := bytes.Index(v, key)
		if i < 0 {
			return false
		}
		v = v[i+len(key):]
		if j := bytes.IndexByte(v, '"'); j >= 0 && ids[string(v[:j])] {
			return true
		}
	}
}
