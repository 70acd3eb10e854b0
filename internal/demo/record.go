package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dangbo/internal/org"
)

// A recorder writes a province's history by running the domain's operations
// (org.Operation, as scenarios store them) through org.Service on the records
// the builder wrote, each by the decision of the committee the domain
// requires: the Service checks and applies each as it would a user's, and
// records its change. Ids come from the builder's seeded stream and each
// change is recorded at a time fixed by its effective date, so the history is
// the same on every run. An operation the domain refuses is a bug of a plan
// of this package: it panics.
type recorder struct {
	*datasetStore
	b       *builder
	svc     *org.Service
	ctx     context.Context
	at      org.Date            // the effective date of the operation running
	created []string            // the ids the operation running created
	numbers map[string]int      // last decision number by issuer
	signed  map[string]org.Date // last decision date by issuer
	sameDay map[org.Date]int    // changes recorded so far for each effective date
}

// demoPrincipal is who records the demo's history.
var demoPrincipal = &org.Principal{Subject: "demo", Roles: []org.AccessRole{org.Admin}}

// newRecorder runs operations on the organisations of b.d.Orgs from firstOrg
// on and the members of b.d.Members from firstMember on.
func newRecorder(b *builder, firstOrg, firstMember int) *recorder {
	r := &recorder{datasetStore: newDatasetStore(b.d, firstOrg, firstMember), b: b,
		ctx: org.WithPrincipal(context.Background(), demoPrincipal), numbers: map[string]int{},
		signed: map[string]org.Date{}, sameDay: map[org.Date]int{}}
	ids := func(prefix string) string {
		id := b.id(prefix)
		r.created = append(r.created, id)
		return id
	}
	r.svc = org.NewService(r.datasetStore, func() org.Date { return r.at }).Generator(ids, r.recordedAt)
	return r
}

// recordedAt is when the demo says the next change of the effective date was
// recorded: from 9 o'clock that morning in Vietnam, a second apart.
func (r *recorder) recordedAt() time.Time {
	k := r.sameDay[r.at]
	r.sameDay[r.at] = k + 1
	return r.at.Time().Add(2*time.Hour + time.Duration(k)*time.Second)
}

// run applies op on date at by the next decision of issuer and returns the
// ids it created.
func (r *recorder) run(at org.Date, issuer string, op org.Operation) []string {
	r.at, r.created = at, nil
	meta := org.Meta{Decision: r.decision(issuer, at), EffectiveOn: at}
	if err := r.svc.Run(r.ctx, op, meta); err != nil {
		panic(fmt.Sprintf("demo: %s: %s: %v", at, op.Type, err))
	}
	return r.created
}

// decision is the next decision of an issuer: numbered after its last one,
// signed on or before the effective date and not before its last one.
func (r *recorder) decision(issuer string, at org.Date) org.Decision {
	n := r.numbers[issuer]
	if n == 0 {
		n = r.b.r.IntN(40)
	}
	n += 1 + r.b.r.IntN(3)
	r.numbers[issuer] = n
	signed := max(r.signed[issuer], at.AddDays(-r.b.r.IntN(15)))
	r.signed[issuer] = signed
	return org.Decision{Number: strconv.Itoa(n) + "-QĐ/" + issuerCode(r.orgRecord(issuer)), Date: signed, IssuerID: issuer}
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

// parentOn is the organisation directly above id on date at: the committee
// that decides about it and about its members.
func (r *recorder) parentOn(id string, at org.Date) string {
	v, ok := r.orgRecord(id).At(at)
	if !ok {
		panic(fmt.Sprintf("demo: %s does not exist on %s", id, at))
	}
	return v.ParentID
}

// lowestCommon is the first organisation of chains[0] that every other
// chain holds: with each chain an organisation and those above it, the
// lowest committee above them all, who decides what moves between them.
func lowestCommon(chains ...[]string) string {
	for _, id := range chains[0] {
		if !slices.ContainsFunc(chains[1:], func(up []string) bool { return !slices.Contains(up, id) }) {
			return id
		}
	}
	panic("demo: no committee above " + strings.Join(chains[0], ", "))
}

// ancestry lists id and the organisations above it on date at.
func (r *recorder) ancestry(id string, at org.Date) []string {
	var up []string
	for ; id != ""; id = r.parentOn(id, at) {
		up = append(up, id)
	}
	return up
}

// above lists the organisations above id on date at.
func (r *recorder) above(id string, at org.Date) []string { return r.ancestry(r.parentOn(id, at), at) }

// establish establishes an organisation under a parent and returns its id.
func (r *recorder) establish(at org.Date, parentID, name string, kind org.Kind, sector org.Sector) string {
	return r.run(at, parentID, org.Operation{Type: org.OpEstablishOrg,
		New: &org.NewOrg{ParentID: parentID, Name: name, Kind: kind, Sector: sector}})[0]
}

// establishPlanned establishes, with its id, an organisation the plan holds,
// taking its record out of the dataset first: the plan's members may already
// name it, and the operation writes the same record.
func (r *recorder) establishPlanned(i int) {
	rec := r.d.Orgs[i]
	v := rec.Versions[0]
	r.d.Orgs = slices.Delete(r.d.Orgs, i, i+1)
	delete(r.orgAt, rec.ID)
	for j := i; j < len(r.d.Orgs); j++ {
		r.orgAt[r.d.Orgs[j].ID] = j
	}
	ids := r.svc
	r.svc = ids.Generator(func(string) string { return rec.ID }, r.recordedAt)
	defer func() { r.svc = ids }()
	r.run(v.Since, v.ParentID, org.Operation{Type: org.OpEstablishOrg,
		New: &org.NewOrg{ParentID: v.ParentID, Name: v.Name, Kind: v.Kind, Sector: v.Sector, Code: rec.Code}})
}

// dissolve ends an organisation, its members moving to membersTo and its
// sub-organisations under childrenTo.
func (r *recorder) dissolve(at org.Date, id, membersTo, childrenTo string) {
	r.run(at, r.parentOn(id, at), org.Operation{Type: org.OpDissolveOrg, ID: id,
		Destination: org.Destination{MembersTo: membersTo, ChildrenTo: childrenTo}})
}

// merge merges sources into an existing target, or into a new organisation
// when in is set, and returns the target's id.
func (r *recorder) merge(at org.Date, sources []string, target string, in *org.NewOrg) string {
	var chains [][]string
	for _, id := range sources {
		chains = append(chains, r.above(id, at))
	}
	op := org.Operation{Type: org.OpMergeOrgs, Sources: sources, TargetID: target, New: in}
	if in != nil {
		return r.run(at, lowestCommon(append(chains, r.ancestry(in.ParentID, at))...), op)[0]
	}
	r.run(at, lowestCommon(append(chains, r.above(target, at))...), op)
	return target
}

// admit admits m, probationary, to a cell and returns their id. Of m it takes
// the name, gender, theory and personal data.
func (r *recorder) admit(at org.Date, cellID string, m org.MemberRecord) string {
	return r.run(at, r.parentOn(cellID, at), org.Operation{Type: org.OpAdmitMember, Admit: &org.NewMember{
		CellID: cellID, FullName: m.FullName, Gender: m.Gender, Theory: m.Theory, Personal: m.Personal}})[0]
}

// memberIssuer is the committee above the member's cell on date at.
func (r *recorder) memberIssuer(at org.Date, id string) string {
	return r.parentOn(r.memberRecord(id).CellOn(at), at)
}

// confirm makes a probationary member official.
func (r *recorder) confirm(at org.Date, id string) {
	r.run(at, r.memberIssuer(at, id), org.Operation{Type: org.OpConfirmOfficial, MemberID: id})
}

// transfer moves a member's party activity to another cell for good.
func (r *recorder) transfer(at org.Date, id, cellID string) {
	r.run(at, lowestCommon(r.above(r.memberRecord(id).CellOn(at), at), r.above(cellID, at)),
		org.Operation{Type: org.OpTransferMember, MemberID: id, CellID: cellID})
}

// remove takes a member off the rolls.
func (r *recorder) remove(at org.Date, id string, reason org.RemovalReason) {
	r.run(at, r.memberIssuer(at, id), org.Operation{Type: org.OpRemoveMember, MemberID: id, Reason: reason})
}

// setResidence links a working member to the cell where they live.
func (r *recorder) setResidence(at org.Date, id, cellID string) {
	r.run(at, r.memberIssuer(at, id), org.Operation{Type: org.OpSetResidence, MemberID: id, CellID: cellID})
}

// assignRole gives a member a role in an organisation their cell belongs to.
func (r *recorder) assignRole(at org.Date, id, orgID string, role org.Role, head bool) {
	r.run(at, r.parentOn(orgID, at), org.Operation{Type: org.OpAssignRole, MemberID: id, OrgID: orgID, Role: role, HeadOfUnit: head})
}

// rate records a yearly rating of an organisation.
func (r *recorder) rate(at org.Date, rt org.Rating) {
	r.run(at, r.parentOn(rt.OrgID, at), org.Operation{Type: org.OpRecordRating, Rating: &rt})
}

// meetings records how many thematic meetings a cell held in a year: an
// operation scenarios do not store, so it is called by name.
func (r *recorder) meetings(at org.Date, cellID string, year, count int) {
	r.at, r.created = at, nil
	meta := org.Meta{Decision: r.decision(r.parentOn(cellID, at), at), EffectiveOn: at}
	if _, err := r.svc.RecordMeetings(r.ctx, cellID, year, count, meta); err != nil {
		panic(fmt.Sprintf("demo: %s: meetings of %s: %v", at, cellID, err))
	}
}
