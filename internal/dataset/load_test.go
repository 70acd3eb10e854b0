package dataset

import (
	"context"
	"dangbo/internal/org"
	"io"
	"testing"
)

// records reads a list of records.
type records []org.Record

func (r *records) Read() (org.Record, error) {
	if len(*r) == 0 {
		return org.Record{}, io.EOF
	}
	rec := (*r)[0]
	*r = (*r)[1:]
	return rec, nil
}

// batchCounter is a sink that counts what it is handed and how.
type batchCounter struct {
	collector
	changeBatches int
}

func (b *batchCounter) Changes(changes []*org.Change, raw [][]byte) error {
	b.changeBatches++
	return b.collector.Changes(changes, raw)
}

// TestLoadDatasetHandsTheHistoryInBatches: a history longer than a batch
// reaches the sink in order, in batches, every change once; ReadAll's
// collector keeps all of them.
func TestLoadDatasetHandsTheHistoryInBatches(t *testing.T) {
	n := 2*recordBatch + 5
	recs := records{{Org: &org.OrgRecord{ID: "o1", Versions: []org.Version{{Span: org.Span{Since: org.DateFrom(2000, 1, 1), Until: org.Forever},
		Name: "Đảng bộ tỉnh", Kind: org.Province}}}}}
	for i := range n {
		recs = append(recs, org.Record{Change: &org.Change{Seq: int64(i + 1), Type: org.ChangeRenamed, EffectiveOn: org.DateFrom(2001, 1, 1),
			Decision: org.Decision{Number: "1-QĐ/TW", IssuerID: "o1"}, Scope: []string{"o1"}}})
	}
	all := append(records(nil), recs...)
	var sink batchCounter
	stats, err := Load(context.Background(), &recs, &sink)
	if err != nil || stats.Changes != n || sink.changeBatches != 3 {
		t.Fatalf("Load = %+v, %v in %d batches; want %d changes in 3", stats, err, sink.changeBatches, n)
	}
	for i, c := range sink.changes {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d handed over at position %d", c.Seq, i)
		}
	}
	if _, _, changes, err := ReadAll(context.Background(), &all); err != nil || len(changes) != n {
		t.Fatalf("ReadAll kept %d changes, %v; want %d", len(changes), err, n)
	}
}
