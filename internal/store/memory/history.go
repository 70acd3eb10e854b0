package memory

import (
	"context"
	"fmt"
	"slices"
	"sort"

	json "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"

	"dangbo/internal/org"
)

// history is what memory keeps of the applied changes: the header of each
// (everything but Before and After, which hold whole records and are read
// from disk only for the page returned) in the order the history is listed,
// and the decisions already used. A province's few thousand headers are
// scanned whole to count or filter them.
type history struct {
	heads     []*org.Change         // Before and After nil; by org.CompareChanges
	decisions map[decision]org.Date // signing date by issuer and number
	last      int64                 // the highest sequence number given, committed
}

type decision struct{ issuer, key string } // key: org.DecisionKey of the number

func newHistory() *history { return &history{decisions: map[decision]org.Date{}} }

// load installs many headers at once, sorting them once; last is the
// sequence number stored as given, which no header may pass.
func (h *history) load(heads []*org.Change, last int64) {
	for _, c := range heads {
		h.use(c)
	}
	h.heads = append(h.heads, heads...)
	slices.SortFunc(h.heads, org.CompareChanges)
	h.last = max(h.last, last)
}

// add installs one committed header. Most changes take effect on the day
// they are recorded, near the end; a back-dated one lands further in.
func (h *history) add(c *org.Change) {
	h.use(c)
	i, _ := slices.BinarySearchFunc(h.heads, c, org.CompareChanges)
	h.heads = slices.Insert(h.heads, i, c)
}

// replace installs a committed header rewritten (Rescope) in place of the
// one of its position.
func (h *history) replace(c *org.Change) {
	if i, found := slices.BinarySearchFunc(h.heads, c, org.CompareChanges); found {
		h.heads[i] = c
	}
}

func (h *history) use(c *org.Change) {
	if c.Decision.Number != "" {
		h.decisions[decision{c.Decision.IssuerID, org.DecisionKey(c.Decision.Number)}] = c.Decision.Date
	}
	h.last = max(h.last, c.Seq)
}

// span is the range of headers whose effective dates q's bounds admit: the
// headers are sorted by date first, so neither end needs a scan.
func (h *history) span(q *org.ChangeQuery) []*org.Change {
	lo := sort.Search(len(h.heads), func(i int) bool { return h.heads[i].EffectiveOn >= q.Since })
	hi := len(h.heads)
	if q.Until != 0 {
		hi = max(lo, sort.Search(len(h.heads), func(i int) bool { return h.heads[i].EffectiveOn >= q.Until }))
	}
	return h.heads[lo:hi]
}

// page is the sequence numbers of the page q asks for, after the position
// after names (nil: from the start), and whether more follow.
func (h *history) page(q *org.ChangeQuery, after *org.Change) (seqs []int64, more bool) {
	heads := h.span(q)
	if after != nil {
		i, found := slices.BinarySearchFunc(heads, after, org.CompareChanges)
		if found {
			i++
		}
		heads = heads[i:]
	}
	for _, c := range heads {
		if !q.Matches(c) {
			continue
		}
		if len(seqs) == q.First {
			return seqs, true
		}
		seqs = append(seqs, c.Seq)
	}
	return seqs, false
}

func (h *history) counts(q *org.ChangeQuery) org.ChangeCounts {
	var n org.ChangeCounts
	for _, c := range h.span(q) {
		if q.Matches(c) {
			n[c.Type]++
		}
	}
	return n
}

// Changes filters and pages the headers in memory, then reads the page's
// changes whole from disk. The read needs no lock: every header in memory
// was on disk before it was, and a change rewritten since (Rescope) differs
// only in its scope, which readers check again on their dates.
func (s *Store) Changes(_ context.Context, q org.ChangeQuery) (org.ChangePage, error) {
	sd := s.read()
	seqs, more, err := sd.changePage(&q)
	sd.mu.RUnlock()
	if err != nil {
		return org.ChangePage{}, err
	}
	changes, err := s.readChanges(seqs)
	return org.ChangePage{Changes: changes, HasNext: more}, err
}

// changePage is the sequence numbers of q's page on this side, which the
// caller holds for reading, and whether more follow.
func (sd *side) changePage(q *org.ChangeQuery) ([]int64, bool, error) {
	var after *org.Change
	if q.After != "" {
		c, err := org.DecodeChangeCursor(q.After)
		if err != nil {
			return nil, false, err
		}
		after = &c
	}
	seqs, more := sd.g.history.page(q, after)
	return seqs, more, nil
}

func (s *Store) ChangeCounts(_ context.Context, q org.ChangeQuery) (org.ChangeCounts, error) {
	sd := s.read()
	defer sd.mu.RUnlock()
	return sd.g.history.counts(&q), nil
}

// readChanges reads changes whole by sequence number, in the order given.
func (s *Store) readChanges(seqs []int64) ([]org.Change, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	logged := s.loggedChanges()
	out := make([]org.Change, len(seqs))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(changeBucket)
		for i, seq := range seqs {
			v := logged[seq]
			if v == nil {
				v = b.Get(seqKey(seq))
			}
			if v == nil {
				return fmt.Errorf("memory: change %d is missing", seq)
			}
			if err := json.Unmarshal(v, &out[i]); err != nil {
				return fmt.Errorf("memory: change %d: %w", seq, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordChange numbers c and stages it. Writers hold writeMu, so the next
// number is the last published plus those queued and staged; the caller
// learns it at once, and a transaction that fails gives none away.
func (t *txn) RecordChange(_ context.Context, c *org.Change) error {
	if int(c.Type) >= org.NumChangeTypes {
		return org.Errorf(org.EInvalid, "loại thay đổi %d không hợp lệ", c.Type)
	}
	c.Seq = t.g.history.last + 1
	for _, st := range t.writes() {
		c.Seq += int64(len(st.changes))
	}
	sc, err := stageChange(c)
	t.st.changes = append(t.st.changes, sc)
	return err
}

// stageChange encodes c and keeps its header.
func stageChange(c *org.Change) (stagedChange, error) {
	v, err := encode(c)
	if err != nil {
		return stagedChange{}, err
	}
	head := *c
	head.Before, head.After = nil, nil
	head.Subjects, head.Scope = slices.Clone(c.Subjects), slices.Clone(c.Scope)
	return stagedChange{head: &head, value: v}, nil
}

// Rescope stages the changes given whole, under their numbers: the commit
// writes each over the one recorded and replaces its header.
func (t *txn) Rescope(_ context.Context, changes []org.Change) error {
	for i := range changes {
		sc, err := stageChange(&changes[i])
		if err != nil {
			return err
		}
		t.st.rescoped = append(t.st.rescoped, sc)
	}
	return nil
}

func (t *txn) DecisionDate(_ context.Context, issuerID, number string) (org.Date, error) {
	key := org.DecisionKey(number)
	if d, ok := t.g.history.decisions[decision{issuerID, key}]; ok {
		return d, nil
	}
	for _, st := range t.writes() {
		for _, c := range st.changes {
			if c.head.Decision.IssuerID == issuerID && org.DecisionKey(c.head.Decision.Number) == key {
				return c.head.Decision.Date, nil
			}
		}
	}
	return 0, nil
}

// LinkedMembers reads the organisation's member lists, which hold everyone
// it ever held, and the queued and staged members that name it.
func (t *txn) LinkedMembers(_ context.Context, orgID string) ([]string, error) {
	var ids []string
	if e := t.g.orgs[orgID]; e != nil {
		for l := range numMemberLists {
			for _, m := range *e.list(l) {
				ids = append(ids, m.rec.ID)
			}
		}
	}
	for _, st := range t.writes() {
		for id, r := range st.members {
			for _, linked := range linkedOrgs(r) {
				if slices.Contains(linked, orgID) {
					ids = append(ids, id)
					break
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// Load has nothing to fetch: the graph is in memory.
func (t *txn) Load(context.Context, org.WorkingSet) error { return nil }

func (t *txn) ChildIDs(_ context.Context, orgID string) ([]string, error) {
	ids := slices.Clone(t.g.children[orgID])
	for _, st := range t.writes() {
		for id, r := range st.orgs {
			if slices.Contains(parents(r), orgID) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
