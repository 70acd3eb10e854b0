package neo4j

import (
	"fmt"

	"dangbo/internal/org"
)

// countsFields lists the fields of c in the order of the counts property:
// Children, DirectOfficial, DirectProbationary, Official, Probationary, then
// ByKind by kind and CellsBySector by sector.
func countsFields(c *org.Counts) []*int32 {
	fields := []*int32{&c.Children, &c.DirectOfficial, &c.DirectProbationary, &c.Official, &c.Probationary}
	for i := range c.ByKind {
		fields = append(fields, &c.ByKind[i])
	}
	for i := range c.CellsBySector {
		fields = append(fields, &c.CellsBySector[i])
	}
	return fields
}

// encodeCounts is the counts property of c.
func encodeCounts(c org.Counts) []int64 {
	fields := countsFields(&c)
	out := make([]int64, len(fields))
	for i, f := range fields {
		out[i] = int64(*f)
	}
	return out
}

// decodeCounts reads a counts property; one never written reads as zero counts.
func decodeCounts(v []any) (org.Counts, error) {
	var c org.Counts
	if v == nil {
		return c, nil
	}
	fields := countsFields(&c)
	if len(v) != len(fields) {
		return c, fmt.Errorf("neo4j: counts has %d values, want %d", len(v), len(fields))
	}
	for i, x := range v {
		n, ok := x.(int64)
		if !ok {
			return c, fmt.Errorf("neo4j: counts[%d] is %T, want an integer", i, x)
		}
		*fields[i] = int32(n)
	}
	return c, nil
}
