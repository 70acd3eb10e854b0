// Package dataset moves a whole dataset in and out of a store. Load and
// ReadAll check it as it is imported (Checker: the rules every write applies,
// on every date of the history) and hand it to a store in batches; Reader and
// Writer read and write it as NDJSON: one record per
// line, {"org":{…}}, {"member":{…}} or {"change":{…}} in the JSON form of
// org.Record, all organisations, then the members, then the history. It is the format of `dangbo export` and
// `dangbo import`, so that a dataset moves between stores and machines. JSON
// is read and written with goccy/go-json, which is encoding/json's wire form
// at a few times its speed (see the benchmarks).
package dataset

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"

	json "github.com/goccy/go-json"

	"dangbo/internal/org"
)

// MaxLine bounds one line in bytes. A member with a long history takes a few
// kilobytes; the bound keeps a file without newlines from exhausting memory.
const MaxLine = 1 << 20

// Reader reads records from NDJSON. Blank lines are skipped. Bad input fails
// with a BAD_USER_INPUT *org.Error that names the line. Decoding is most of
// the work of an import, so lines are read a batch at a time and the batch is
// decoded on every core; no goroutine outlives a call to Read.
type Reader struct {
	src io.Reader
	// chunk is what was read and not yet cut into lines. Lines are cut from
	// the chunks as they were read, never copied, so that the bytes of a
	// record stay valid for whoever keeps them; a chunk is not reused.
	chunk     []byte
	readErr   error // what ended the input, once it did
	batch     []line
	next      int
	line      int
	part      part // of the last record read: none of an earlier part may follow
	err       error
	headsOnly bool // changes come without the records before and after
}

// HeadsOnly makes the changes read from then on whose Raw is not nil come
// without Before and After (HeadReader).
func (r *Reader) HeadsOnly() { r.headsOnly = true }

// headLine is a line decoded with its change's records before and after
// skipped, the other fields kept so that a line with two still fails.
type headLine struct {
	Org    *org.OrgRecord    `json:"org"`
	Member *org.MemberRecord `json:"member"`
	Change *struct {
		org.Change
		Before skipped `json:"before"`
		After  skipped `json:"after"`
	} `json:"change"`
}

// skipped is a JSON value read past and dropped.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// decode reads line l into its record, its change's records before and
// after left out when heads is set.
func (l *line) decode(heads bool) {
	if !heads || !bytes.HasPrefix(l.raw, fieldPrefixes[changePart]) || l.raw[len(l.raw)-1] != '}' {
		if l.err = json.Unmarshal(l.raw, &l.rec); l.err == nil && l.rec.Member != nil {
			l.rec.Member.OwnStrings() // members are many, and kept
		}
		return
	}
	var h headLine
	if l.err = json.Unmarshal(l.raw, &h); l.err == nil {
		l.rec = org.Record{Org: h.Org, Member: h.Member}
		if h.Change != nil {
			l.rec.Change = &h.Change.Change
		}
	}
}

// part is the part of a dataset a record belongs to, in the order they come.
type part uint8

const (
	orgPart part = iota
	memberPart
	changePart
)

// partOf is the part of a record with exactly one field set; ok is false otherwise.
func partOf(rec *org.Record) (p part, ok bool) {
	n := 0
	if rec.Org != nil {
		n++
	}
	if rec.Member != nil {
		p, n = memberPart, n+1
	}
	if rec.Change != nil {
		p, n = changePart, n+1
	}
	return p, n == 1
}

// outOfOrder says which part a record of part p should have come before.
var outOfOrder = [...]string{
	orgPart:    "tổ chức phải đứng trước mọi đảng viên và lịch sử thay đổi",
	memberPart: "đảng viên phải đứng trước lịch sử thay đổi",
}

// line is one non-blank line of a batch and what it decoded to.
type line struct {
	n   int
	raw []byte
	rec org.Record
	err error
}

const batchLines = 512

// chunkSize is how much the Reader reads at a time.
const chunkSize = 1 << 20

// NewReader reads records from r, in chunks: r needs no buffer of its own.
func NewReader(r io.Reader) *Reader { return &Reader{src: r} }

// errLineTooLong ends the input at a line longer than MaxLine.
var errLineTooLong = errors.New("line too long")

// nextLine cuts the next line from the chunk, without its newline, reading
// on when the chunk holds no whole line; false once the input is over.
func (r *Reader) nextLine() ([]byte, bool) {
	for {
		i := bytes.IndexByte(r.chunk, '\n')
		if i > MaxLine || i < 0 && len(r.chunk) > MaxLine {
			r.chunk, r.readErr = nil, errLineTooLong
			return nil, false
		}
		if i >= 0 {
			l := r.chunk[:i:i]
			r.chunk = r.chunk[i+1:]
			return l, true
		}
		switch {
		case errors.Is(r.readErr, io.EOF) && len(r.chunk) > 0: // the last line has no newline
			l := r.chunk
			r.chunk = nil
			return l, true
		case r.readErr != nil:
			return nil, false
		}
		r.read()
	}
}

// read appends to the chunk what the input gives, in a new buffer when the
// chunk's is full: the lines already cut keep the old one.
func (r *Reader) read() {
	if len(r.chunk) == cap(r.chunk) {
		buf := make([]byte, len(r.chunk), max(chunkSize, 2*len(r.chunk)))
		copy(buf, r.chunk)
		r.chunk = buf
	}
	n, err := r.src.Read(r.chunk[len(r.chunk):cap(r.chunk)])
	r.chunk = r.chunk[:len(r.chunk)+n]
	r.readErr = err
}

// Read returns the next record, io.EOF after the last one.
func (r *Reader) Read() (org.Record, error) {
	if r.next == len(r.batch) {
		if r.err != nil {
			return org.Record{}, r.err
		}
		r.fill()
		if len(r.batch) == 0 {
			return org.Record{}, r.err
		}
	}
	l := &r.batch[r.next]
	r.next++
	r.line = l.n
	if l.err != nil {
		return org.Record{}, r.invalid("%s", jsonError(l.err))
	}
	p, ok := partOf(&l.rec)
	switch {
	case !ok:
		return org.Record{}, r.invalid(`mỗi dòng phải có đúng một trong các trường "org", "member" hoặc "change"`)
	case p < r.part:
		return org.Record{}, r.invalid("%s", outOfOrder[p])
	}
	r.part = p
	return l.rec, nil
}

// fill reads the next batch of lines and decodes them in parallel. It leaves
// r.err set to io.EOF, or to the error that ended the input, once the input
// is over.
func (r *Reader) fill() {
	r.batch, r.next = r.batch[:0], 0
	n := r.line
	for len(r.batch) < batchLines {
		l, ok := r.nextLine()
		if !ok {
			break
		}
		n++
		if b := bytes.TrimSpace(l); len(b) > 0 {
			r.batch = append(r.batch, line{n: n, raw: b})
		}
	}
	if len(r.batch) < batchLines { // the input is over: io.EOF, or what ended it
		if r.err = r.readErr; errors.Is(r.err, errLineTooLong) {
			r.line = n + 1
			r.err = r.invalid("dòng dài quá %d byte", MaxLine)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(r.batch); i += workers {
				r.batch[i].decode(r.headsOnly)
			}
		})
	}
	wg.Wait()
}

// jsonError says what was wrong with a line without the decoder's internals.
func jsonError(err error) string {
	var e *org.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "không đọc được JSON: " + err.Error()
}

// Raw is the JSON object of the last record's one field as it stood in its
// line, or nil if the line has another shape than the Writer's.
func (r *Reader) Raw() []byte {
	if r.next == 0 {
		return nil
	}
	raw := r.batch[r.next-1].raw
	for _, prefix := range fieldPrefixes {
		if bytes.HasPrefix(raw, prefix) && raw[len(raw)-1] == '}' {
			return raw[len(prefix) : len(raw)-1]
		}
	}
	return nil
}

// fieldPrefixes open a line as the Writer writes it, by part.
var fieldPrefixes = [...][]byte{orgPart: []byte(`{"org":`), memberPart: []byte(`{"member":`), changePart: []byte(`{"change":`)}

// Line is the number of the line last read, counting from 1.
func (r *Reader) Line() int { return r.line }

func (r *Reader) invalid(format string, args ...any) error {
	return org.Errorf(org.EInvalid, "dòng %d: "+format, append([]any{r.line}, args...)...)
}

// Writer writes records as NDJSON, buffered: call Flush when done.
type Writer struct {
	buf  *bufio.Writer
	part part
}

// NewWriter writes records to w.
func NewWriter(w io.Writer) *Writer { return &Writer{buf: bufio.NewWriterSize(w, 64<<10)} }

// Write writes one record as one line. It refuses a record with other than
// one field set, and a record after one of a later part (an organisation
// after a member, a member after a change), since a reader could not load
// either.
func (w *Writer) Write(rec org.Record) error {
	p, ok := partOf(&rec)
	switch {
	case !ok:
		return org.Errorf(org.EInvalid, "bản ghi phải có đúng một tổ chức, một đảng viên hoặc một thay đổi")
	case p < w.part:
		return org.Errorf(org.EInvalid, "bản ghi đứng sai chỗ: %s", outOfOrder[p])
	}
	w.part = p
	line, err := json.MarshalWithOption(rec, json.DisableHTMLEscape())
	if err != nil {
		return org.Errorf(org.EInvalid, "không ghi được bản ghi: %v", org.ErrorMessage(err))
	}
	if _, err = w.buf.Write(line); err == nil {
		err = w.buf.WriteByte('\n')
	}
	return err
}

// Flush writes what is buffered to the underlying writer.
func (w *Writer) Flush() error { return w.buf.Flush() }

// Copy writes every record of src to dst and returns how many it copied.
func Copy(dst org.RecordWriter, src org.RecordReader) (org.ImportStats, error) {
	var n org.ImportStats
	for {
		rec, err := src.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if err := dst.Write(rec); err != nil {
			return n, err
		}
		switch {
		case rec.Org != nil:
			n.Orgs++
		case rec.Member != nil:
			n.Members++
		}
	}
}
