//go:build race

package server

// raceDetector is set when the tests run with -race, which makes every
// request several times slower and timing comparisons meaningless.
const raceDetector = true
