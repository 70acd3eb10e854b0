// Package benchmarks measures dangbo against floors taken in the same run:
// the same gqlgen schema answering the same query from static structs, and
// encoding/json. These machines are shared and noisy, so the targets of the
// issues are ratios to those floors. Run with
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/benchmarks/
//
// and see BENCHMARKS.md for the figures and the hey runs.
package benchmarks
