package demo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dangbo/internal/org"
)

// A ledger writes the history of one province into its records. Each of its
// operations does what the domain's operation of the same name does
// (internal/org: restructure.go, memberops.go, operation.go), on the records
// the builder wrote: it reads and writes them as the domain reads and writes
// them through a store transaction, checks what the domain checks (a failed
// check is a bug in a plan of this package, so it panics), and records the
// change the domain would record: its decision, issued by the committee the
// domain requires (R9), its subjects, its scope and the records written, as
// they were and as it left them. Operations apply in the order of their
// effective dates, so that the records always hold the history up to the
// present operation and the last change of a record shows it as it ends.
//
// A store bumps a record's Rev on every write and an operation reads it back
// with it, so the records of a change carry the Rev the store would have
// given them, and each record ends with as many as it had writes.
type ledger struct {
	b        *builder
	orgAt    map[string]int      // index in b.d.Orgs
	memberAt map[string]int      // index in b.d.Members
	children map[string][]string // ids of the organisations any version of which names the key as parent
	linked   map[string][]string // ids of the members a stint, residence link or role ever tied to the key
	present  map[string][]string // ids of the members whose open official stint is in the key, in no order
	numbers  map[string]int      // last decision number by issuer
	signed   map[string]org.Date // last decision date by issuer
	sameDay  map[org.Date]int    // changes recorded so far for each effective date
}

// newLedger takes the organisations of b.d.Orgs from firstOrg on, and, with
// members set, the members from firstMember on: only an operation on members
// needs them indexed.
func newLedger(b *builder, firstOrg, firstMember int, members bool) *ledger {
	l := &ledger{b: b, orgAt: map[string]int{}, memberAt: map[string]int{}, children: map[string][]string{},
		linked: map[string][]string{}, present: map[string][]string{}, numbers: map[string]int{},
		signed: map[string]org.Date{}, sameDay: map[org.Date]int{}}
	for i := firstOrg; i < len(b.d.Orgs); i++ {
		l.indexOrg(i)
	}
	if members {
		for i := firstMember; i < len(b.d.Members); i++ {
			l.indexMember(i, nil)
		}
	}
	return l
}

func (l *ledger) indexOrg(i int) {
	r := &l.b.d.Orgs[i]
	l.orgAt[r.ID] = i
	for _, v := range r.Versions {
		if v.ParentID != "" && !slices.Contains(l.children[v.ParentID], r.ID) {
			l.children[v.ParentID] = append(l.children[v.ParentID], r.ID)
		}
	}
}

// indexMember lists member i under every organisation it names and in the
// cell it is now in, having been in was's.
func (l *ledger) indexMember(i int, was *org.MemberRecord) {
	m := &l.b.d.Members[i]
	l.memberAt[m.ID] = i
	link := func(id string) {
		if ids := l.linked[id]; len(ids) == 0 || ids[len(ids)-1] != m.ID {
			l.linked[id] = append(ids, m.ID)
		}
	}
	for _, s := range m.Stints {
		link(s.CellID)
	}
	for _, s := range m.Residences {
		link(s.CellID)
	}
	for _, t := range m.Roles {
		link(t.OrgID)
	}
	before, now := "", presentCell(m)
	if was != nil {
		before = presentCell(was)
	}
	if before != now {
		if before != "" {
			ids := l.present[before]
			k := slices.Index(ids, m.ID)
			ids[k] = ids[len(ids)-1]
			l.present[before] = ids[:len(ids)-1]
		}
		if now != "" {
			l.present[now] = append(l.present[now], m.ID)
		}
	}
}

// presentCell is the cell of the member's open official stint: where they are
// now, as operations apply in date order.
func presentCell(m *org.MemberRecord) string {
	for i := len(m.Stints) - 1; i >= 0; i-- {
		if s := m.Stints[i]; !s.Temporary && s.Until == org.Forever {
			return s.CellID
		}
	}
	return ""
}

func (l *ledger) orgRecord(id string) *org.OrgRecord {
	i, ok := l.orgAt[id]
	if !ok {
		panic("demo: no organisation " + id)
	}
	return &l.b.d.Orgs[i]
}

func (l *ledger) memberRecord(id string) *org.MemberRecord {
	i, ok := l.memberAt[id]
	if !ok {
		panic("demo: no member " + id)
	}
	return &l.b.d.Members[i]
}

// alive reports whether organisation id exists on date d.
func (l *ledger) alive(id string, d org.Date) bool {
	_, ok := l.orgRecord(id).At(d)
	return ok
}

// operation is one operation being applied: the records it read and wrote,
// as operation.go keeps them.
type operation struct {
	l      *ledger
	at     org.Date
	issuer string
	before map[string]org.Record
	after  map[string]org.Record
	order  []string
}

func (l *ledger) begin(at org.Date) *operation {
	return &operation{l: l, at: at, before: map[string]org.Record{}, after: map[string]org.Record{}}
}

func (op *operation) fail(format string, args ...any) {
	panic(fmt.Sprintf("demo: %s: ", op.at) + fmt.Sprintf(format, args...))
}

// seen reports whether the operation has read or written id.
func (op *operation) seen(id string) bool {
	_, read := op.before[id]
	_, wrote := op.after[id]
	return read || wrote
}

// org reads an organisation record.
func (op *operation) org(id string) org.OrgRecord {
	rec := op.l.orgRecord(id)
	if !op.seen(id) {
		c := rec.Clone()
		op.before[id] = org.Record{Org: &c}
	}
	return rec.Clone()
}

// orgOn reads an organisation and its state on the effective date.
func (op *operation) orgOn(id string) (org.OrgRecord, org.Org) {
	rec := op.org(id)
	o, ok := rec.OrgAt(op.at)
	if !ok {
		op.fail("organisation %s does not exist", id)
	}
	return rec, o
}

// cellOn reads a cell members may belong to.
func (op *operation) cellOn(id string) org.Org {
	_, c := op.orgOn(id)
	if err := org.CheckMemberCell(&c); err != nil {
		op.fail("%v", err)
	}
	return c
}

func (op *operation) putOrg(rec org.OrgRecord) {
	written := rec.Clone()
	if i, ok := op.l.orgAt[rec.ID]; ok {
		rec.Rev++
		op.l.b.d.Orgs[i] = rec
		op.l.indexOrg(i)
	} else {
		rec.Rev = 1
		op.l.b.d.Orgs = append(op.l.b.d.Orgs, rec)
		op.l.indexOrg(len(op.l.b.d.Orgs) - 1)
	}
	op.wrote(rec.ID, org.Record{Org: &written})
}

func (op *operation) member(id string) org.MemberRecord {
	rec := op.l.memberRecord(id)
	if !op.seen(id) {
		c := rec.Clone()
		op.before[id] = org.Record{Member: &c}
	}
	return rec.Clone()
}

func (op *operation) putMember(rec org.MemberRecord) {
	written := rec.Clone()
	if i, ok := op.l.memberAt[rec.ID]; ok {
		was := op.l.b.d.Members[i]
		rec.Rev++
		op.l.b.d.Members[i] = rec
		op.l.indexMember(i, &was)
	} else {
		rec.Rev = 1
		op.l.b.d.Members = append(op.l.b.d.Members, rec)
		op.l.indexMember(len(op.l.b.d.Members)-1, nil)
	}
	op.wrote(rec.ID, org.Record{Member: &written})
}

func (op *operation) wrote(id string, r org.Record) {
	if _, ok := op.after[id]; !ok {
		op.order = append(op.order, id)
	}
	op.after[id] = r
}

// issuedBy names the committee that issues the decision: the one the domain requires.
func (op *operation) issuedBy(id string) { op.issuer = id }

// ancestors lists id and the organisations above it on the effective date.
func (op *operation) ancestors(id string) []string {
	var out []string
	for id != "" && len(out) <= org.NumKinds {
		rec := op.l.orgRecord(id)
		out = append(out, id)
		v, ok := rec.At(op.at)
		if !ok {
			if v, ok = rec.At(op.at - 1); !ok {
				break
			}
		}
		id = v.ParentID
	}
	return out
}

// scope is every organisation at or above what the operation touched, on the
// effective date, before and after.
func (op *operation) scope() []string {
	var scope []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" {
				scope = append(scope, op.ancestors(id)...)
			}
		}
	}
	for _, id := range op.order {
		for _, r := range []org.Record{op.before[id], op.after[id]} {
			switch {
			case r.Org != nil:
				for _, d := range []org.Date{op.at - 1, op.at} {
					if v, ok := r.Org.At(d); ok {
						add(r.Org.ID, v.ParentID)
					}
				}
			case r.Member != nil:
				for _, d := range []org.Date{op.at - 1, op.at} {
					add(r.Member.CellOn(d), r.Member.ResidenceOn(d))
				}
			}
		}
	}
	slices.Sort(scope)
	return slices.Compact(scope)
}

// record appends the change the operation makes to the dataset.
func (op *operation) record(typ org.ChangeType, subjects []string, note string) {
	if op.issuer == "" {
		op.fail("%s without an issuer", typ)
	}
	l := op.l
	k := l.sameDay[op.at]
	l.sameDay[op.at] = k + 1
	// As the domain does, subjects left empty (no destination) are not named.
	subjects = slices.DeleteFunc(subjects, func(id string) bool { return id == "" })
	c := org.Change{Type: typ, EffectiveOn: op.at, Decision: l.decision(op.issuer, op.at), Note: note,
		Actor: "demo", RecordedAt: recordedAt(op.at, k), Subjects: subjects, Scope: op.scope()}
	for _, id := range op.order {
		if r, ok := op.before[id]; ok {
			c.Before = append(c.Before, r)
		}
		c.After = append(c.After, op.after[id])
	}
	l.b.d.Changes = append(l.b.d.Changes, c)
}

// recordedAt is when the demo says the k-th change of an effective date was
// recorded: from 9 o'clock that morning in Vietnam, a second apart.
func recordedAt(d org.Date, k int) time.Time {
	return d.Time().Add(2*time.Hour + time.Duration(k)*time.Second)
}

// decision is the next decision of an issuer: numbered after its last one,
// signed on or before the effective date and not before its last one.
func (l *ledger) decision(issuer string, at org.Date) org.Decision {
	n := l.numbers[issuer]
	if n == 0 {
		n = l.b.r.IntN(40)
	}
	n += 1 + l.b.r.IntN(3)
	l.numbers[issuer] = n
	signed := max(l.signed[issuer], at.AddDays(-l.b.r.IntN(15)))
	l.signed[issuer] = signed
	return org.Decision{Number: strconv.Itoa(n) + "-QĐ/" + issuerCode(l.orgRecord(issuer)), Date: signed, IssuerID: issuer}
}

// issuerCode is how a committee signs its decisions: TU for the provincial
// committee (Tỉnh ủy) and a city's or town's (Thành ủy, Thị ủy), HU for a
// district's (Huyện ủy), ĐU for a grassroots committee (Đảng ủy).
func issuerCode(r *org.OrgRecord) string {
	v := r.Versions[len(r.Versions)-1]
	switch v.Kind {
	case org.Province:
		return "TU"
	case org.District:
		if strings.Contains(v.Name, "thành phố") || strings.Contains(v.Name, "thị xã") {
			return "TU"
		}
		return "HU"
	case org.PartialCommittee:
		return "ĐUBP"
	}
	return "ĐU"
}

// superiorOf is the committee directly above an organisation.
func superiorOf(o org.Org) string {
	if o.ParentID == "" {
		return o.ID
	}
	return o.ParentID
}

// childrenOn lists the organisations directly under id on the effective date, by id.
func (op *operation) childrenOn(id string) []org.Org {
	ids := slices.Clone(op.l.children[id])
	slices.Sort(ids)
	var out []org.Org
	for _, cid := range ids {
		if o, ok := op.l.orgRecord(cid).OrgAt(op.at); ok && o.ParentID == id {
			out = append(out, o)
		}
	}
	return out
}

// linkedMembers lists, by id, the members a stint, residence link or role ties to id.
func (op *operation) linkedMembers(id string) []string {
	ids := slices.Clone(op.l.linked[id])
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return slices.DeleteFunc(ids, func(m string) bool {
		r := op.l.memberRecord(m)
		return !slices.ContainsFunc(r.Stints, func(s org.Stint) bool { return s.CellID == id }) &&
			!slices.ContainsFunc(r.Residences, func(s org.Residence) bool { return s.CellID == id }) &&
			!slices.ContainsFunc(r.Roles, func(t org.RoleTerm) bool { return t.OrgID == id })
	})
}

// membersOn lists, by id, the members whose official cell is id on the effective date.
func (op *operation) membersOn(id string) []string {
	return slices.DeleteFunc(op.linkedMembers(id), func(m string) bool { return op.l.memberRecord(m).CellOn(op.at) != id })
}

// establish establishes an organisation under a parent, by the parent's
// decision (EstablishOrg), and returns its id.
func (l *ledger) establish(at org.Date, parentID, name string, kind org.Kind, sector org.Sector) string {
	id := l.b.id("o")
	op := l.begin(at)
	_, parent := op.orgOn(parentID)
	op.issuedBy(parent.ID)
	op.establish(id, org.NewOrg{ParentID: parentID, Name: name, Kind: kind, Sector: sector}, &parent)
	op.record(org.ChangeEstablished, []string{id, parentID}, "")
	return id
}

func (op *operation) establish(id string, in org.NewOrg, parent *org.Org) {
	if err := org.CheckPlacement(in.Kind, parent); err != nil {
		op.fail("%v", err)
	}
	op.putOrg(org.OrgRecord{ID: id, Code: in.Code, Versions: []org.Version{{
		Span: org.Span{Since: op.at, Until: org.Forever}, ParentID: parent.ID, Name: in.Name, Kind: in.Kind, Sector: in.Sector}}})
}

// dissolve ends an organisation, its members moving to membersTo and its
// sub-organisations under childrenTo, by its superior's decision (DissolveOrg).
func (l *ledger) dissolve(at org.Date, id, membersTo, childrenTo string) {
	op := l.begin(at)
	rec, o := op.orgOn(id)
	op.issuedBy(superiorOf(o))
	op.moveContents(o, membersTo, childrenTo)
	op.end(&rec)
	op.record(org.ChangeDissolved, []string{id, membersTo, childrenTo}, "")
}

func (op *operation) moveContents(o org.Org, membersTo, childrenTo string) {
	if members := op.membersOn(o.ID); len(members) > 0 {
		if membersTo == "" {
			op.fail("%q keeps %d members", o.Name, len(members))
		}
		op.moveMembers(members, membersTo)
	}
	children := op.childrenOn(o.ID)
	if len(children) > 0 && childrenTo == "" {
		op.fail("%q keeps %d organisations", o.Name, len(children))
	}
	for _, c := range children {
		op.placeUnder(c, childrenTo)
	}
}

func (op *operation) moveMembers(ids []string, cell string) {
	op.cellOn(cell)
	for _, id := range ids {
		rec := op.member(id)
		if !rec.MoveFrom(op.at, cell) {
			op.fail("member %s is in no cell", id)
		}
		op.putMember(rec)
	}
}

func (op *operation) placeUnder(c org.Org, parentID string) {
	_, parent := op.orgOn(parentID)
	if err := org.CheckPlacement(c.Kind, &parent); err != nil {
		op.fail("%v", err)
	}
	rec := op.org(c.ID)
	if err := rec.ReviseFrom(op.at, func(a, b *org.Version) bool { return a.ParentID == b.ParentID },
		func(v *org.Version) { v.ParentID = parentID }); err != nil {
		op.fail("%v", err)
	}
	op.putOrg(rec)
}

// end ends an organisation with the residence links to it and roles in it.
func (op *operation) end(rec *org.OrgRecord) {
	for _, id := range op.linkedMembers(rec.ID) {
		m := op.member(id)
		if m.CellOn(op.at) == rec.ID {
			op.fail("member %s is still in %s", id, rec.ID)
		}
		if m.TiedAfter(rec.ID, op.at) {
			m.LeaveFrom(op.at, rec.ID)
			op.putMember(m)
		}
	}
	rec.EndAt(op.at)
	op.putOrg(*rec)
}

// merge merges sources into an existing target, or into a new organisation
// when in is set, by the lowest committee above them all (MergeOrgs); it
// returns the target's id.
func (l *ledger) merge(at org.Date, sources []string, target string, in *org.NewOrg) string {
	if in != nil {
		target = l.b.id("o")
	}
	op := l.begin(at)
	var ups [][]string
	srcs := make([]org.Org, len(sources))
	for i, id := range sources {
		_, srcs[i] = op.orgOn(id)
		ups = append(ups, op.ancestors(srcs[i].ParentID))
	}
	if in != nil {
		_, parent := op.orgOn(in.ParentID)
		op.establish(target, *in, &parent)
		ups = append(ups, op.ancestors(parent.ID))
	} else {
		_, t := op.orgOn(target)
		ups = append(ups, op.ancestors(t.ParentID))
	}
	issuer := ups[0]
	for _, up := range ups[1:] {
		issuer = slices.DeleteFunc(slices.Clone(issuer), func(id string) bool { return !slices.Contains(up, id) })
	}
	if len(issuer) == 0 {
		op.fail("no committee above %v", sources)
	}
	op.issuedBy(issuer[0])
	for _, o := range srcs {
		op.moveContents(o, target, target)
		rec := op.org(o.ID)
		op.end(&rec)
	}
	op.record(org.ChangeMerged, append([]string{target}, sources...), "")
	return target
}

// admit admits m, probationary, to a cell on the effective date, by the
// decision of the committee above the cell (AdmitMember). Of m it takes the
// id, name, gender, theory and personal data.
func (l *ledger) admit(at org.Date, cellID string, m org.MemberRecord) {
	if b := m.Personal.BirthDate; b != nil && b.AddYears(18) > at {
		panic("demo: a member admitted before 18")
	}
	op := l.begin(at)
	cell := op.cellOn(cellID)
	op.issuedBy(superiorOf(cell))
	op.putMember(org.MemberRecord{ID: m.ID, FullName: m.FullName, Gender: m.Gender, AdmittedOn: at, Theory: m.Theory,
		Personal: m.Personal, Stints: []org.Stint{{Span: org.Span{Since: at, Until: org.Forever}, CellID: cellID}}})
	op.record(org.ChangeAdmitted, []string{m.ID, cellID}, "")
}

// memberOn reads a member and their cell, the cell's superior deciding.
func (op *operation) memberOn(id string) (org.MemberRecord, org.Org) {
	rec := op.member(id)
	cellID := rec.CellOn(op.at)
	if cellID == "" {
		op.fail("member %s is in no cell", id)
	}
	_, cell := op.orgOn(cellID)
	op.issuedBy(superiorOf(cell))
	return rec, cell
}

// confirm makes a probationary member official (ConfirmOfficial).
func (l *ledger) confirm(at org.Date, id string) {
	op := l.begin(at)
	rec, _ := op.memberOn(id)
	if rec.OfficialOn != nil || at < rec.AdmittedOn.AddYears(1) {
		op.fail("member %s admitted %s cannot be confirmed", id, rec.AdmittedOn)
	}
	rec.OfficialOn = &at
	op.putMember(rec)
	op.record(org.ChangeConfirmed, []string{id}, "")
}

// transfer moves a member's party activity to another cell for good, by the
// lowest committee above both cells (TransferMember).
func (l *ledger) transfer(at org.Date, id, cellID string) {
	op := l.begin(at)
	rec := op.member(id)
	from := rec.CellOn(at)
	if from == "" || from == cellID {
		op.fail("member %s cannot move from %q to %s", id, from, cellID)
	}
	_, fromCell := op.orgOn(from)
	to := op.cellOn(cellID)
	fromUp, toUp := op.ancestors(fromCell.ParentID), op.ancestors(to.ParentID)
	for _, a := range fromUp {
		if slices.Contains(toUp, a) {
			op.issuedBy(a)
			break
		}
	}
	rec.MoveFrom(at, cellID)
	op.putMember(rec)
	op.record(org.ChangeMemberTransferred, []string{id, cellID}, "")
}

// remove takes a member off the rolls (RemoveMember).
func (l *ledger) remove(at org.Date, id string, reason org.RemovalReason) {
	op := l.begin(at)
	rec, _ := op.memberOn(id)
	rec.LeaveFrom(at, "")
	op.putMember(rec)
	op.record(org.ChangeMemberRemoved, []string{id}, reason.String())
}

// setResidence links a working member to the cell where they live (SetResidence).
func (l *ledger) setResidence(at org.Date, id, cellID string) {
	op := l.begin(at)
	rec, own := op.memberOn(id)
	_, cell := op.orgOn(cellID)
	if err := org.CheckResidence(&cell, own.ID); err != nil {
		op.fail("%v", err)
	}
	if rec.ResidenceOn(at) == cellID {
		op.fail("member %s already lives in %s", id, cellID)
	}
	rec.EndResidence(at)
	rec.Residences = append(rec.Residences, org.Residence{Span: org.Span{Since: at, Until: org.Forever}, CellID: cellID})
	op.putMember(rec)
	op.record(org.ChangeResidenceSet, []string{id, cellID}, "")
}

// assignRole gives a member a role in an organisation their cell belongs to,
// by the organisation's superior (AssignRole).
func (l *ledger) assignRole(at org.Date, id, orgID string, role org.Role, head bool) {
	op := l.begin(at)
	rec := op.member(id)
	cell := rec.CellOn(at)
	if cell == "" {
		op.fail("member %s is in no cell", id)
	}
	_, o := op.orgOn(orgID)
	if !slices.Contains(op.ancestors(cell), orgID) {
		op.fail("member %s is not in %s", id, orgID)
	}
	op.issuedBy(superiorOf(o))
	for _, t := range rec.Roles {
		if t.OrgID == orgID && t.Role == role && t.Holds(at) {
			op.fail("member %s already holds the role", id)
		}
	}
	rec.Roles = append(rec.Roles, org.RoleTerm{Span: org.Span{Since: at, Until: org.Forever}, OrgID: orgID, Role: role, HeadOfUnit: head})
	op.putMember(rec)
	op.record(org.ChangeRoleAssigned, []string{id, orgID}, "")
}

// recordEstablished records, for an organisation the plan already holds, the
// change that established it under its parent on the day its record begins.
func (l *ledger) recordEstablished(id string) {
	rec := l.orgRecord(id)
	at := rec.Established()
	op := l.begin(at)
	_, parent := op.orgOn(rec.Versions[0].ParentID)
	op.issuedBy(parent.ID)
	op.putOrg(rec.Clone())
	op.record(org.ChangeEstablished, []string{id, parent.ID}, "")
}
