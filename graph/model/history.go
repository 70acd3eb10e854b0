package model

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"dangbo/internal/org"
)

// Change is an operation of the history.
type Change struct{ org.Change }

// Before is what the change's records were, as JSON; the domain trimmed them
// to what the caller sees.
func (c *Change) Before() ([]json.RawMessage, error) { return records(c.Change.Before) }

// After is what the change made of its records, as JSON.
func (c *Change) After() ([]json.RawMessage, error) { return records(c.Change.After) }

func records(recs []org.Record) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(recs))
	for i, rec := range recs {
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// ChangeConnection is a page of the history with the query it answers,
// which its totalCount counts when asked.
type ChangeConnection struct {
	Query    org.ChangeQuery
	Edges    []*ChangeEdge
	Nodes    []*Change
	PageInfo *PageInfo
}

// ChangeEdge is a change in a connection; its cursor is made when asked for.
type ChangeEdge struct {
	Node *Change
	Conn string // the connection it is in (org.BindCursor)
}

// Cursor is the keyset cursor just after this change in its connection.
func (e *ChangeEdge) Cursor() string { return org.BindCursor(e.Conn, org.ChangeCursor(&e.Node.Change)) }

// ChangeSummary binds ChangeSummary to the counts of a query.
type ChangeSummary struct {
	Within       string
	Since        org.Date
	Until        *org.Date
	ChangeCounts org.ChangeCounts
}

func (s *ChangeSummary) Total() int {
	n := 0
	for _, c := range s.ChangeCounts {
		n += c
	}
	return n
}

// Counts lists the types with at least one change, in type order.
func (s *ChangeSummary) Counts() []*ChangeTypeCount {
	var out []*ChangeTypeCount
	for t, n := range s.ChangeCounts {
		if n > 0 {
			out = append(out, &ChangeTypeCount{Type: org.ChangeType(t), Count: n})
		}
	}
	return out
}

func (s *ChangeSummary) Established() int { return s.ChangeCounts[org.ChangeEstablished] }
func (s *ChangeSummary) Dissolved() int   { return s.ChangeCounts[org.ChangeDissolved] }
func (s *ChangeSummary) Merged() int      { return s.ChangeCounts[org.ChangeMerged] }
func (s *ChangeSummary) Split() int       { return s.ChangeCounts[org.ChangeSplit] }
func (s *ChangeSummary) Admitted() int    { return s.ChangeCounts[org.ChangeAdmitted] }

// JSON is a JSON value written as it is.
type JSON = json.RawMessage

// MarshalJSON writes v as it is.
func MarshalJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = w.Write(v) })
}

// UnmarshalJSON refuses JSON as input: no argument takes it, but gqlgen's
// generated code names an unmarshaller for every scalar (deadcode reports it
// unreachable, rightly).
func UnmarshalJSON(any) (json.RawMessage, error) {
	return nil, errors.New("JSON is an output type only")
}
