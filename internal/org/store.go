package org

import (
	"context"
	"time"
)

// View selects the version of the structure a read sees.
type View struct {
	At Date // the date the answer is as of
	// Scenario, when set, is the scenario whose operations the answer
	// assumes applied (the Service answers it; stores never see one).
	Scenario string
}

// PageQuery asks for one page of a keyset-paginated list.
type PageQuery struct {
	First int    // page size, 1..MaxPageSize
	After string // cursor of the last item of the previous page, or empty
}

// Page sizes a client may ask for.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// OrgPage is one page of organisations.
type OrgPage struct {
	Orgs    []Org
	HasNext bool
	Total   int
}

// MemberPage is one page of members.
type MemberPage struct {
	Members []Member
	HasNext bool
	Total   int
}

// Reader answers questions about the structure as of a view. Methods that take
// one id fail with NOT_FOUND when it does not exist in the view; methods that
// take many return, in the same order, a zero value (empty ID) for each missing id.
//
// Errors, here and in Store: besides the codes each method names, any method
// may fail with UNAVAILABLE when the store cannot be reached (the database is
// down or overloaded; try again later), with INTERNAL for anything else (its
// message says nothing of the cause, which stays in the error chain for the
// logs), and with the context's error when ctx ends. Pages are asked for as
// the Service checked them (PageQuery.First in 1..MaxPageSize); a cursor the
// method cannot decode is BAD_USER_INPUT. A store words NOT_FOUND with
// NotFound, the CONFLICT of a stale write with Stale and that of an import
// into a store with data as ErrNotEmpty, so that all stores answer alike.
// DatedID is an organisation asked about on a date.
type DatedID struct {
	At Date
	ID string
}

type Reader interface {
	// Roots are the organisations without a parent: the provinces.
	Roots(ctx context.Context, v View) ([]Org, error)
	// Org is one organisation; NOT_FOUND.
	Org(ctx context.Context, v View, id string) (Org, error)
	// Orgs are several, a zero Org for each missing one.
	Orgs(ctx context.Context, v View, ids []string) ([]Org, error)
	// Children lists an organisation's children by kind, then name, optionally
	// only those of the given kinds. NOT_FOUND for a missing organisation,
	// BAD_USER_INPUT for a bad cursor.
	Children(ctx context.Context, v View, id string, q PageQuery, kinds []Kind) (OrgPage, error)
	// Path lists the organisations from the root down to id, id included;
	// NOT_FOUND.
	Path(ctx context.Context, v View, id string) ([]Org, error)

	// Member is one member; NOT_FOUND.
	Member(ctx context.Context, v View, id string) (Member, error)
	// Members are several, a zero Member for each missing one.
	Members(ctx context.Context, v View, ids []string) ([]Member, error)
	// CellMembers lists the members whose official cell is the organisation,
	// by name; BAD_USER_INPUT for a bad cursor.
	CellMembers(ctx context.Context, v View, orgID string, q PageQuery) (MemberPage, error)
	// Residents lists the members whose residence link points to the cell, by
	// name; BAD_USER_INPUT for a bad cursor.
	Residents(ctx context.Context, v View, cellID string, q PageQuery) (MemberPage, error)

	// Search finds organisations and members by name. BAD_USER_INPUT for
	// an empty or too long text, NOT_FOUND for an organisation of q.Within
	// missing in the view.
	Search(ctx context.Context, v View, q SearchQuery) ([]Hit, error)

	// ChartNodes lists the chart of a subtree as Tree.ChartNodes does, failing
	// with NOT_FOUND for a missing root and BAD_USER_INPUT when it holds more
	// than limit nodes.
	ChartNodes(ctx context.Context, v View, q ChartQuery, limit int) ([]ChartNode, error)
	// ResidenceLinks counts, by pair of cells, the members on the view's date
	// whose cell is one of cells and whose residence link points to another
	// of them; ordered by From, then To.
	ResidenceLinks(ctx context.Context, v View, cells []string) ([]ResidenceLink, error)

	// Changes lists the history q selects, by effective date, then
	// sequence; BAD_USER_INPUT for a bad cursor.
	Changes(ctx context.Context, q ChangeQuery) (ChangePage, error)
	// ChangeCounts counts the changes q selects by type (q.First and q.After aside).
	ChangeCounts(ctx context.Context, q ChangeQuery) (ChangeCounts, error)

	// Covers reports, for each of ids, whether it lies in the subtree of one
	// of roots (a root included) on the view's date; false for a missing id.
	Covers(ctx context.Context, v View, roots, ids []string) ([]bool, error)
	// CoversOn is Covers for organisations each asked on a date of its own,
	// in a bounded number of round trips whatever the number of dates: the
	// history asks about the dates of a page of changes at once.
	CoversOn(ctx context.Context, roots []string, asks []DatedID) ([]bool, error)

	// Scenario reads one scenario, NOT_FOUND if there is none of that id.
	Scenario(ctx context.Context, id string) (Scenario, error)
	// Scenarios lists every scenario, whatever its status, newest first.
	Scenarios(ctx context.Context) ([]Scenario, error)
}

// Tx is what an operation reads and writes inside one store transaction.
// Records returned are the caller's to change; nothing is visible to readers
// until the transaction commits, and nothing is written if it fails. Its
// methods fail as Reader's do, and as each says.
type Tx interface {
	// Org is an organisation's record as the transaction sees it; NOT_FOUND.
	Org(ctx context.Context, id string) (OrgRecord, error)
	// Member is a member's record as the transaction sees it; NOT_FOUND.
	Member(ctx context.Context, id string) (MemberRecord, error)
	// PutOrg writes r. Its Rev must be the one read (zero for a new record):
	// CONFLICT when another transaction wrote it since; the store bumps it.
	PutOrg(ctx context.Context, r OrgRecord) error
	// PutMember writes r, checked as PutOrg's.
	PutMember(ctx context.Context, r MemberRecord) error
	// Audit records the transaction's action with its writes.
	Audit(ctx context.Context, e AuditEntry) error
	// RecordChange appends c to the history with the transaction's writes;
	// the store sets c.Seq.
	RecordChange(ctx context.Context, c *Change) error
	// DecisionDate is the signing date of the issuer's decision of this
	// number as the history, or this transaction, already holds it; zero
	// when no change cites it yet. Several changes may cite one decision.
	// Numbers compare by DecisionKey: "12-qđ/tu" finds "12-QĐ/TU".
	DecisionDate(ctx context.Context, issuerID, number string) (Date, error)
	// LinkedMembers lists, at least, every member who ever had a stint, a
	// residence link or a role in organisation id, the transaction's own
	// writes included; callers read each record to see what holds when.
	LinkedMembers(ctx context.Context, orgID string) ([]string, error)
	// ChildIDs lists, at least, every organisation that ever had orgID as its
	// parent, the transaction's own writes included.
	ChildIDs(ctx context.Context, orgID string) ([]string, error)
	// Rescope rewrites the Scope of changes already committed: each of
	// changes, found by its EffectiveOn and Seq, takes the Scope given, the
	// rest of it staying as recorded. Changes reads them as committed, with
	// the scopes they had.
	Rescope(ctx context.Context, changes []Change) error
	// ChartNodes and Changes are Reader's, read in the transaction as
	// committed (without its own writes): an operation or a replay reads
	// its subtree and the later history without a second transaction, which
	// would wait for a second connection while this one holds the first.
	ChartNodes(ctx context.Context, v View, q ChartQuery, limit int) ([]ChartNode, error)
	Changes(ctx context.Context, q ChangeQuery) (ChangePage, error)
	// Load says what the transaction is about to read: a store that reads
	// over a network fetches it in one round trip, so that the reads that
	// follow (Org, Member, ChildIDs, LinkedMembers, Changes after ws.At)
	// cost none; a store in memory has nothing to do. The reads answer
	// exactly as they would without it.
	Load(ctx context.Context, ws WorkingSet) error

	// Scenario reads a scenario as the transaction sees it; NOT_FOUND.
	Scenario(ctx context.Context, id string) (Scenario, error)
	// PutScenario writes a scenario. Its Rev must be the one read (zero for
	// a new one), as for records: CONFLICT otherwise; the store bumps it.
	PutScenario(ctx context.Context, sc Scenario) error
}

// WorkingSet is what an operation or a scenario's replay reads, as of a date:
// what it is about and around it, and the history after the date within it.
type WorkingSet struct {
	At Date
	// Near are the organisations and members an operation names: each
	// organisation with its ancestors, every organisation that ever was its
	// child and every member ever linked to it; each member with the
	// organisations it is linked to.
	Near []string
	// Subtrees are organisations whose whole subtree on At is read, each
	// organisation of it as one of Near: a replay's.
	Subtrees []string
}

// Store keeps the structure and its history. Every implementation passes the
// behaviour suite in internal/store/storetest.
type Store interface {
	Reader
	// Audit appends an entry to the audit log on its own.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog lists the audit log, newest first.
	AuditLog(ctx context.Context, q AuditQuery) (AuditPage, error)
	// AuditCount is how many entries the audit log holds.
	AuditCount(ctx context.Context) (int, error)
	// Update runs fn in one transaction. When it returns nil every write of fn
	// is durable and visible; when it returns an error none is, and the error
	// is fn's, or CONFLICT when a concurrent write got there first (try
	// again), or UNAVAILABLE. A store may run fn more than once (the Neo4j
	// driver retries a transaction on transient errors), so fn starts from
	// scratch each time and keeps no state between runs but its result.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in one read transaction: fn reads the committed records
	// as through Update, and whatever it puts or audits is discarded; it
	// records no change (the history numbers them as it writes them). Where
	// a store can, a View takes no lock that writers wait for; what-if
	// replays of scenarios run in one.
	View(ctx context.Context, fn func(Tx) error) error
	// Import loads a whole dataset into an empty store, or nothing:
	// ErrNotEmpty when the store holds data, BAD_USER_INPUT or
	// RULE_VIOLATION naming the first bad record of an invalid dataset.
	Import(ctx context.Context, src RecordReader) (ImportStats, error)
	// Export writes the whole dataset, organisations, then members, then the
	// history by sequence number.
	Export(ctx context.Context, dst RecordWriter) error
	// Revision changes whenever a committed write changes organisations
	// or members, through whichever instance of the service: a replay of a
	// scenario made at one revision holds until the next.
	Revision(ctx context.Context) (uint64, error)
	// Empty reports whether the store holds no organisation yet.
	Empty(ctx context.Context) (bool, error)
	// Ping fails, UNAVAILABLE, when the store cannot serve requests.
	Ping(ctx context.Context) error
	Close() error
}

// WriteHealth is what a store may tell beyond Ping: that its reads are
// served while its writes fail for the state of its machine (the embedded
// store's full disk), why and since when; a nil error once one succeeds.
type WriteHealth interface {
	WriteFailure() (since time.Time, err error)
}

// Record is one line of a dataset: exactly one of its fields is set. A
// dataset holds its organisations, then its members, then its history.
type Record struct {
	Org    *OrgRecord    `json:"org,omitempty"`
	Member *MemberRecord `json:"member,omitempty"`
	Change *Change       `json:"change,omitempty"`
}

// RecordReader yields the records of a dataset; it returns io.EOF after the last.
type RecordReader interface {
	Read() (Record, error)
}

// RecordWriter takes the records of a dataset.
type RecordWriter interface {
	Write(Record) error
}

// ImportStats counts what an import loaded.
type ImportStats struct {
	Orgs    int
	Members int
	Changes int
}
