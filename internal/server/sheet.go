package server

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"dangbo/internal/org"
)

// sheet is one table of an export, as CSV or XLSX. Cells are strings,
// ints, float64s or dates (org.Date; nil or a zero date is empty). The
// response starts with the first row: an error before it is answered as
// an error, not as a broken file.
type sheet interface {
	row(cells ...any) error
	// close ends the file: the CSV flushed, the XLSX written whole.
	close() error
}

// sheetFormat is an export's file format, by its route's extension.
type sheetFormat string

const (
	formatCSV  sheetFormat = "csv"
	formatXLSX sheetFormat = "xlsx"
)

// newSheet starts an export named filename (without extension) in format
// f; title names the XLSX worksheet.
func newSheet(w http.ResponseWriter, f sheetFormat, filename, title string, bom bool) (sheet, error) {
	disposition := `attachment; filename="` + filename + "." + string(f) + `"`
	if f == formatXLSX {
		return newXLSXSheet(w, disposition, title)
	}
	return &csvSheet{w: w, disposition: disposition, bom: bom}, nil
}

// csvSheet streams rows to the response as they come. Its text cells are
// neutralised as spreadsheetCSV's are; numbers and dates cannot be formulas,
// and a negative number stays a number.
type csvSheet struct {
	w           http.ResponseWriter
	disposition string
	bom         bool
	bw          *bufio.Writer
	cw          *csv.Writer
	cells       []string
}

func (s *csvSheet) row(cells ...any) error {
	if s.cw == nil {
		h := s.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", s.disposition)
		s.bw = bufio.NewWriterSize(s.w, 64<<10)
		if s.bom {
			_, _ = s.bw.WriteString(utf8BOM)
		}
		s.cw = csv.NewWriter(s.bw)
	}
	s.cells = s.cells[:0]
	for _, c := range cells {
		s.cells = append(s.cells, csvCell(c))
	}
	return s.cw.Write(s.cells)
}

func csvCell(c any) string {
	switch c := c.(type) {
	case string:
		return spreadsheetCell(c)
	case int:
		return strconv.Itoa(c)
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	case org.Date:
		if c == 0 {
			return ""
		}
		return c.String()
	case *org.Date:
		if c == nil {
			return ""
		}
		return csvCell(*c)
	}
	return ""
}

func (s *csvSheet) close() error {
	if s.cw == nil {
		return nil
	}
	s.cw.Flush()
	return s.bw.Flush()
}

// xlsxSheet writes rows through excelize's StreamWriter, which keeps them
// in a temporary file past a few megabytes rather than in memory, and
// writes the workbook on close. Text cells are strings, never formulas:
// a name such as =HYPERLINK(…) shows as typed.
type xlsxSheet struct {
	w           http.ResponseWriter
	disposition string
	f           *excelize.File
	sw          *excelize.StreamWriter
	n           int
	header      int // style of the first row
	date        int // style of date cells
	cells       []any
}

func newXLSXSheet(w http.ResponseWriter, disposition, title string) (*xlsxSheet, error) {
	f := excelize.NewFile()
	// The fastest deflate: a province's sheet compresses to a few percent
	// more bytes for a third less of the export's time.
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	s := &xlsxSheet{w: w, disposition: disposition, f: f}
	err := f.SetSheetName("Sheet1", title)
	if err == nil {
		s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	}
	if err == nil {
		format := "dd/mm/yyyy"
		s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	}
	if err == nil {
		s.sw, err = f.NewStreamWriter(title)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return s, nil
}

func (s *xlsxSheet) row(cells ...any) error {
	s.n++
	s.cells = s.cells[:0]
	for _, c := range cells {
		s.cells = append(s.cells, s.cell(c))
	}
	start, err := excelize.CoordinatesToCellName(1, s.n)
	if err != nil {
		return err
	}
	return s.sw.SetRow(start, s.cells)
}

func (s *xlsxSheet) cell(c any) any {
	if s.n == 1 {
		return excelize.Cell{StyleID: s.header, Value: c}
	}
	switch c := c.(type) {
	case org.Date:
		if c == 0 {
			return nil
		}
		return excelize.Cell{StyleID: s.date, Value: c.Time()}
	case *org.Date:
		if c == nil {
			return nil
		}
		return s.cell(*c)
	case string:
		if c == "" {
			return nil
		}
	}
	return c
}

func (s *xlsxSheet) close() error {
	defer func() { _ = s.f.Close() }()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	h := s.w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", s.disposition)
	return s.f.Write(s.w)
}
