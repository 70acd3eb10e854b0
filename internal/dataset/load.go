package dataset

import (
	"context"
	"dangbo/internal/org"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Checker checks the records of a whole dataset as they are imported:
// organisations first, all of them, then members one by one against them. It
// applies the rules that every write applies (R5, R6) to every date of the
// history, so an import cannot load what the API would refuse.
type Checker struct {
	orgs map[string]*org.OrgRecord
}

// NewChecker starts checking a dataset.
func NewChecker() *Checker { return &Checker{orgs: map[string]*org.OrgRecord{}} }

// AddOrg takes an organisation record; its shape is checked by CheckOrgs once all are in.
func (d *Checker) AddOrg(r *org.OrgRecord) error {
	if r.ID == "" {
		return org.Errorf(org.EInvalid, "tổ chức thiếu id")
	}
	if d.orgs[r.ID] != nil {
		return org.Errorf(org.EInvalid, "tổ chức %q xuất hiện hai lần", r.ID)
	}
	if len(r.Versions) == 0 {
		return org.Errorf(org.EInvalid, "tổ chức %q không có phiên bản nào", r.ID)
	}
	for i := range r.Versions {
		v := &r.Versions[i]
		name, err := org.CleanName("tên tổ chức", v.Name)
		if err != nil {
			return fmt.Errorf("tổ chức %q: %w", r.ID, err)
		}
		v.Name = name
		if !v.Valid() || (i > 0 && v.Since < r.Versions[i-1].Until) {
			return org.Errorf(org.EInvalid, "tổ chức %q: các phiên bản phải theo thứ tự ngày và không chồng lấn", r.ID)
		}
		if int(v.Kind) >= org.NumKinds || int(v.Sector) >= org.NumSectors {
			return org.Errorf(org.EInvalid, "tổ chức %q: loại hoặc lĩnh vực không hợp lệ", r.ID)
		}
	}
	d.orgs[r.ID] = r
	return nil
}

// CheckOrgs checks that every version of every organisation sits, for all of
// its span, under a parent that exists and may contain it (R5).
func (d *Checker) CheckOrgs() error {
	ids := make([]string, 0, len(d.orgs))
	for id := range d.orgs {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the first error reported does not depend on map order
	for _, id := range ids {
		r := d.orgs[id]
		for _, v := range r.Versions {
			if v.ParentID == "" {
				if v.Kind != org.Province {
					return org.RuleShape.Violation("tổ chức %q (%s) không có cấp trên", r.ID, v.Kind.Vietnamese())
				}
				continue
			}
			p := d.orgs[v.ParentID]
			if p == nil || !throughout(p, v.Span, func(pv org.Version) bool { return org.CanContain(pv.Kind, v.Kind) }) {
				return org.RuleShape.Violation("tổ chức %q (%s) không đặt dưới một cấp trên hợp lệ %q trong suốt %s–%s",
					r.ID, v.Kind.Vietnamese(), v.ParentID, v.Since, v.Until)
			}
		}
	}
	return nil
}

// CheckMember checks a member against the organisations: cells that hold
// members over each stint, one official cell at a time, residence links to
// other, residential cells (R5, R6). It cleans the member's names in place.
func (d *Checker) CheckMember(m *org.MemberRecord) error {
	if m.ID == "" {
		return org.Errorf(org.EInvalid, "đảng viên thiếu id")
	}
	fail := func(err error) error { return fmt.Errorf("đảng viên %q: %w", m.ID, err) }
	var err error
	if m.FullName, err = org.CleanName("họ và tên", m.FullName); err != nil {
		return fail(err)
	}
	if m.Personal, err = org.CleanPersonal(m.Personal); err != nil {
		return fail(err)
	}
	if m.OfficialOn != nil && *m.OfficialOn < m.AdmittedOn {
		return fail(org.Errorf(org.EInvalid, "ngày chính thức trước ngày kết nạp"))
	}
	if len(m.Stints) == 0 {
		return fail(org.Errorf(org.EInvalid, "không sinh hoạt ở chi bộ nào"))
	}
	var lastOfficial org.Date
	for i, s := range m.Stints {
		if !s.Valid() || (i > 0 && s.Since < m.Stints[i-1].Since) {
			return fail(org.Errorf(org.EInvalid, "các đợt sinh hoạt phải theo thứ tự ngày"))
		}
		if !s.Temporary {
			if s.Since < lastOfficial {
				return fail(org.RuleMembership.Violation("sinh hoạt chính thức ở hai chi bộ cùng lúc"))
			}
			lastOfficial = s.Until
		}
		if c := d.orgs[s.CellID]; c == nil || !throughout(c, s.Span, func(v org.Version) bool { return v.Kind.HoldsMembers() }) {
			return fail(org.RuleShape.Violation("chi bộ %q không tồn tại hoặc không phải chi bộ trong suốt %s–%s", s.CellID, s.Since, s.Until))
		}
	}
	for i, r := range m.Residences {
		if !r.Valid() || (i > 0 && r.Since < m.Residences[i-1].Until) {
			return fail(org.Errorf(org.EInvalid, "các liên hệ nơi cư trú phải theo thứ tự ngày và không chồng lấn"))
		}
		c := d.orgs[r.CellID]
		if c == nil || !throughout(c, r.Span, func(v org.Version) bool { return v.Kind.HoldsMembers() && v.Sector.IsResidential() }) {
			return fail(org.RuleMembership.Violation("nơi cư trú %q phải là chi bộ thôn hoặc tổ dân phố", r.CellID))
		}
		if own := m.CellOn(r.Since); own == r.CellID {
			return fail(org.RuleMembership.Violation("chi bộ nơi cư trú trùng với chi bộ đang sinh hoạt"))
		}
	}
	for _, t := range m.Roles {
		if o := d.orgs[t.OrgID]; !t.Valid() || o == nil || !throughout(o, t.Span, func(org.Version) bool { return true }) {
			return fail(org.Errorf(org.EInvalid, "chức vụ ở tổ chức %q không tồn tại trong suốt nhiệm kỳ", t.OrgID))
		}
	}
	return nil
}

// throughout reports whether the organisation exists through all of span and
// every version in force during it satisfies ok.
func throughout(r *org.OrgRecord, s org.Span, ok func(org.Version) bool) bool {
	next := s.Since
	for _, v := range r.Versions {
		if v.Until <= next {
			continue
		}
		if v.Since > next || !ok(v) {
			return false
		}
		if next = v.Until; next >= s.Until {
			return true
		}
	}
	return false
}

// Sink receives a dataset from Load as it is checked.
type Sink interface {
	// Orgs receives every organisation, checked, before any member.
	Orgs(orgs []*org.OrgRecord) error
	// Members receives the next batch of members, each checked. raw[i] is
	// the JSON member i was read from, when the reader kept it (a RawReader)
	// and checking left the member as it was; nil otherwise. The sink may
	// keep both slices.
	Members(batch []*org.MemberRecord, raw [][]byte) error
	// Changes receives the next batch of the history, checked, after every
	// member, by sequence number, with the JSON each was read from as for
	// Members. It may keep both slices.
	Changes(changes []*org.Change, raw [][]byte) error
}

// RawReader is a RecordReader that also gives the JSON it read the last
// record from, so that a store can persist those bytes instead of encoding
// the record again: a third of the work of an import.
type RawReader interface {
	org.RecordReader
	// Raw is the JSON object of the last record's one field, nil if unknown.
	Raw() []byte
}

// HeadReader is a RawReader that can leave undecoded the records a change
// holds before and after: for a store that persists the bytes read and keeps
// only the headers of changes in memory. Those records are most of a
// history's bytes, and checking a dataset does not look at them.
type HeadReader interface {
	RawReader
	// HeadsOnly makes the changes read from then on whose Raw is not nil
	// come without Before and After.
	HeadsOnly()
}

// recordBatch is how many members, or changes, Load hands over at a
// time: large enough to check on every core, small enough that a store can
// write one batch while the next is read.
const recordBatch = 4096

// Load reads a dataset from src and hands it to sink in checked pieces,
// as Dataset checks them: all organisations first, then members in batches,
// each id once, then the history in batches. It stops at the first bad record, naming its number; a sink
// that must write all or nothing undoes what it received.
func Load(ctx context.Context, src org.RecordReader, sink Sink) (org.ImportStats, error) {
	ds := NewChecker()
	var orgs []*org.OrgRecord
	var batch []*org.MemberRecord
	var stats org.ImportStats
	var changes []*org.Change // the batch of the history not yet handed over
	var raws, changeRaws [][]byte
	var lastSeq int64 // of the last change read; 0 before the history
	rawOf := func() []byte { return nil }
	if rr, ok := src.(RawReader); ok {
		rawOf = rr.Raw
	}
	var seen seenIDs
	orgsDone := false
	handOrgs := func() error {
		orgsDone = true
		if err := ds.CheckOrgs(); err != nil {
			return err
		}
		stats.Orgs = len(orgs)
		return sink.Orgs(orgs)
	}
	n := 0 // records read
	handMembers := func() error {
		errs := make([]error, len(batch))
		parallel(len(batch), func(i int) {
			m := batch[i]
			name, personal := m.FullName, m.Personal
			errs[i] = ds.CheckMember(m)
			if m.FullName != name || m.Personal != personal {
				raws[i] = nil // cleaned: the bytes read are not the member any more
			}
		})
		first := n - len(batch) + 1
		for i, m := range batch {
			if errs[i] != nil {
				return fmt.Errorf("bản ghi %d: %w", first+i, errs[i])
			}
			if seen.add(m.ID) {
				return org.Errorf(org.EInvalid, "bản ghi %d: đảng viên %q xuất hiện hai lần", first+i, m.ID)
			}
		}
		stats.Members += len(batch)
		err := sink.Members(batch, raws)
		batch, raws = make([]*org.MemberRecord, 0, recordBatch), make([][]byte, 0, recordBatch)
		return err
	}
	// flush hands over the organisations, if not yet, and the last members.
	flush := func() error {
		if !orgsDone {
			if err := handOrgs(); err != nil {
				return err
			}
		}
		if len(batch) > 0 {
			return handMembers()
		}
		return nil
	}
	for {
		if n%recordBatch == 0 {
			if err := ctx.Err(); err != nil {
				return stats, err
			}
		}
		rec, err := src.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return stats, err
		}
		n++
		switch {
		case fields(&rec) != 1:
			return stats, org.Errorf(org.EInvalid, "bản ghi %d: phải là đúng một tổ chức, một đảng viên hoặc một thay đổi", n)
		case rec.Change != nil:
			if lastSeq == 0 {
				// The history begins: every organisation and member is in.
				if err := flush(); err != nil {
					return stats, err
				}
			}
			if err := checkChange(rec.Change, lastSeq, ds); err != nil {
				return stats, fmt.Errorf("bản ghi %d: %w", n, err)
			}
			lastSeq, stats.Changes = rec.Change.Seq, stats.Changes+1
			changes, changeRaws = append(changes, rec.Change), append(changeRaws, rawOf())
			if len(changes) == recordBatch {
				if err := sink.Changes(changes, changeRaws); err != nil {
					return stats, err
				}
				changes, changeRaws = nil, nil
			}
		case lastSeq > 0:
			return stats, org.Errorf(org.EInvalid, "bản ghi %d: tổ chức và đảng viên phải đứng trước lịch sử thay đổi", n)
		case rec.Org != nil && orgsDone:
			return stats, org.Errorf(org.EInvalid, "bản ghi %d: tổ chức %q đứng sau đảng viên; tổ chức phải đứng trước", n, rec.Org.ID)
		case rec.Org != nil:
			if err := ds.AddOrg(rec.Org); err != nil {
				return stats, fmt.Errorf("bản ghi %d: %w", n, err)
			}
			orgs = append(orgs, rec.Org)
		default:
			if !orgsDone {
				if err := handOrgs(); err != nil {
					return stats, err
				}
			}
			batch, raws = append(batch, rec.Member), append(raws, rawOf())
			if len(batch) == recordBatch {
				if err := handMembers(); err != nil {
					return stats, err
				}
			}
		}
	}
	if lastSeq == 0 {
		return stats, flush()
	}
	if len(changes) == 0 {
		return stats, nil
	}
	return stats, sink.Changes(changes, changeRaws)
}

// seenIDs tells whether an id came before. Exports list members by id, so
// while ids rise a comparison with the last one answers; those that come out
// of order are kept in a set. The rising ids are kept end to end in one
// buffer, without pointers: millions of strings would be scanned by every
// collection of an import.
type seenIDs struct {
	bytes []byte   // the rising ids, end to end
	ends  []uint32 // where each ends in bytes
	rest  map[string]bool
}

// id is the i-th rising id.
func (s *seenIDs) id(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.bytes[start:s.ends[i]]
}

// add adds id and reports whether it was there already.
func (s *seenIDs) add(id string) (dup bool) {
	if n := len(s.ends); (n == 0 || string(s.id(n-1)) < id) && len(s.bytes)+len(id) <= math.MaxUint32 {
		s.bytes = append(s.bytes, id...)
		s.ends = append(s.ends, uint32(len(s.bytes)))
		return false
	}
	if _, found := sort.Find(len(s.ends), func(i int) int { return strings.Compare(id, string(s.id(i))) }); found || s.rest[id] {
		return true
	}
	if s.rest == nil {
		s.rest = map[string]bool{}
	}
	s.rest[id] = true
	return false
}

// fields counts the fields of a record that are set.
func fields(r *org.Record) int {
	n := 0
	for _, set := range []bool{r.Org != nil, r.Member != nil, r.Change != nil} {
		if set {
			n++
		}
	}
	return n
}

// checkChange checks a change of a dataset against what came before it:
// numbered above 0 in increasing order, as stores export them, of a known
// type, with an effective date and a decision, its scope among the
// organisations.
func checkChange(c *org.Change, lastSeq int64, ds *Checker) error {
	switch {
	case c.Seq <= lastSeq: // above 0 for the first
		return org.Errorf(org.EInvalid, "số thứ tự (seq) %d của thay đổi phải dương và lớn hơn số của thay đổi trước", c.Seq)
	case int(c.Type) >= org.NumChangeTypes:
		return org.Errorf(org.EInvalid, "thay đổi %d: loại không hợp lệ", c.Seq)
	case c.EffectiveOn == 0 || c.Decision.Number == "" || c.Decision.IssuerID == "":
		return org.Errorf(org.EInvalid, "thay đổi %d: thiếu ngày có hiệu lực hoặc quyết định", c.Seq)
	}
	for _, id := range c.Scope {
		if ds.orgs[id] == nil {
			return org.Errorf(org.EInvalid, "thay đổi %d: phạm vi nêu tổ chức %q không có trong dữ liệu", c.Seq, id)
		}
	}
	return nil
}

// ReadAll reads and checks a whole dataset into memory, for a store that
// checks everything before it writes anything.
func ReadAll(ctx context.Context, src org.RecordReader) ([]*org.OrgRecord, []*org.MemberRecord, []*org.Change, error) {
	var c collector
	_, err := Load(ctx, src, &c)
	return c.orgs, c.members, c.changes, err
}

type collector struct {
	orgs    []*org.OrgRecord
	members []*org.MemberRecord
	changes []*org.Change
}

func (c *collector) Changes(changes []*org.Change, _ [][]byte) error {
	c.changes = append(c.changes, changes...)
	return nil
}

func (c *collector) Orgs(orgs []*org.OrgRecord) error { c.orgs = orgs; return nil }
func (c *collector) Members(batch []*org.MemberRecord, _ [][]byte) error {
	c.members = append(c.members, batch...)
	return nil
}

// parallel runs fn(0..n-1) on every core.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}
