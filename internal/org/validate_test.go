package org

import (
	"context"
	"io"
	"testing"
)

// records reads a list of records.
type records []Record

func (r *records) Read() (Record, error) {
	if len(*r) == 0 {
		return Record{}, io.EOF
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

func (b *batchCounter) Changes(changes []*Change, raw [][]byte) error {
	b.changeBatches++
	return b.collector.Changes(changes, raw)
}

// TestLoadDatasetHandsTheHistoryInBatches: a history longer than a batch
// reaches the sink in order, in batches, every change once; ReadDataset's
// collector keeps all of them.
func TestLoadDatasetHandsTheHistoryInBatches(t *testing.T) {
	n := 2*recordBatch + 5
	recs := records{{Org: &OrgRecord{ID: "o1", Versions: []Version{{Span: Span{Since: DateFrom(2000, 1, 1), Until: Forever},
		Name: "Đảng bộ tỉnh", Kind: Province}}}}}
	for i := range n {
		recs = append(recs, Record{Change: &Change{Seq: int64(i + 1), Type: ChangeRenamed, EffectiveOn: DateFrom(2001, 1, 1),
			Decision: Decision{Number: "1-QĐ/TW", IssuerID: "o1"}, Scope: []string{"o1"}}})
	}
	all := append(records(nil), recs...)
	var sink batchCounter
	stats, err := LoadDataset(context.Background(), &recs, &sink)
	if err != nil || stats.Changes != n || sink.changeBatches != 3 {
		t.Fatalf("LoadDataset = %+v, %v in %d batches; want %d changes in 3", stats, err, sink.changeBatches, n)
	}
	for i, c := range sink.changes {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d handed over at position %d", c.Seq, i)
		}
	}
	if _, _, changes, err := ReadDataset(context.Background(), &all); err != nil || len(changes) != n {
		t.Fatalf("ReadDataset kept %d changes, %v; want %d", len(changes), err, n)
	}
}
