package server

import (
	"encoding/csv"
	"io"
)

// spreadsheetCSV writes CSV meant to be opened in a spreadsheet. Every cell
// that a spreadsheet would read as a formula (starting with = + - @, tab or
// carriage return) is prefixed with a single quote, as OWASP recommends
// against CSV injection: names come from users, and a cell such as
// =HYPERLINK(…) would otherwise run in whoever opens the export.
type spreadsheetCSV struct{ w *csv.Writer }

func newSpreadsheetCSV(w io.Writer) *spreadsheetCSV { return &spreadsheetCSV{csv.NewWriter(w)} }

// Write writes one row, neutralising its cells in place.
func (s *spreadsheetCSV) Write(row []string) error {
	for i, cell := range row {
		row[i] = spreadsheetCell(cell)
	}
	return s.w.Write(row)
}

func (s *spreadsheetCSV) Flush() { s.w.Flush() }

// spreadsheetCell is cell as a spreadsheet shows it as text, never as a formula.
func spreadsheetCell(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}
