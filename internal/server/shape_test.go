package server

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"dangbo/internal/testseed"
)

// hostile builds documents whose validation (gqlparser's
// OverlappingFieldsCanBeMerged) or expansion grows faster than their
// length, n repetitions of each shape.
var hostile = map[string]func(n int) string{
	"one name repeated": func(n int) string { return "{" + strings.Repeat(" __typename", n) + " }" },
	"one name repeated with selections": func(n int) string {
		return "{ roots {" + strings.Repeat(" children { edges { node { id } } }", n) + " } }"
	},
	"one name repeated in inline fragments": func(n int) string {
		return "{" + strings.Repeat(" ... on Query { __typename }", n) + " }"
	},
	"fragments spread together": func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " ...F%d", i)
		}
		b.WriteString(" }")
		for i := range n {
			fmt.Fprintf(&b, " fragment F%d on Query { a%d: __typename b%d: __typename }", i, i, i)
		}
		return b.String()
	},
	"fragments doubling": func(n int) string { // F(i) spreads F(i-1) under two names
		var b strings.Builder
		fmt.Fprintf(&b, "{ ...F%d } fragment F0 on Query { __typename }", n)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, " fragment F%d on Query { a: __schema { queryType { ...F%d } } b: __schema { queryType { ...F%d } } }", i, i-1, i-1)
		}
		return strings.ReplaceAll(b.String(), "queryType { ...F0 }", "queryType { name }")
	},
	"operations sharing a large fragment": func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "query q%d($a: Boolean) { ...f } ", i)
		}
		b.WriteString("fragment f on Query {")
		for i := range 2000 {
			fmt.Fprintf(&b, " a%d: __typename @include(if: $a)", i)
		}
		return b.String() + " }"
	},
	// An outside tester's: each fragment spreads the next; validation
	// walks the chain again from each, looking each up among all.
	"a chain of fragments": func(n int) string {
		var b strings.Builder
		b.WriteString("{ ...A0 }")
		for i := range n {
			fmt.Fprintf(&b, " fragment A%d on Query { ...A%d }", i, i+1)
		}
		fmt.Fprintf(&b, " fragment A%d on Query { __typename }", n)
		return b.String()
	},
	// The tester's: unknown directives in a fragment spread by 20
	// operations, two errors each per operation (200 MB of errors).
	"directives under many operations": func(n int) string {
		var b strings.Builder
		for i := range 20 {
			fmt.Fprintf(&b, "query Q%d { ...F } ", i)
		}
		return b.String() + "fragment F on Query { __typename" + strings.Repeat(" @x", n) + " }"
	},
	// The tester's: same-named fields compared argument by argument.
	"arguments of one name": func(n int) string {
		args := "(" + strings.Repeat(`name: "a" `, n) + ")"
		return "{ __type" + args + " { name } __type" + args + " { name } }"
	},
	// The tester's: same-named fields, each of many distinct fields.
	"wide selections of one name": func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			b.WriteString(` o: __type(name: "Query") {`)
			for j := range 140 {
				fmt.Fprintf(&b, " f%d_%d: name", i, j)
			}
			b.WriteString(" }")
		}
		return b.String() + " }"
	},
	"a list nested deep": func(n int) string {
		return `{ __type(name: ` + strings.Repeat("[", n) + `"a"` + strings.Repeat("]", n) + `) { name } }`
	},
	"operations": func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "query q%d { __typename } ", i)
		}
		return b.String()
	},
	"variables": func(n int) string {
		var b strings.Builder
		b.WriteString("query(")
		for i := range n {
			fmt.Fprintf(&b, "$v%d: Boolean ", i)
		}
		b.WriteString(") { __typename ")
		for i := range n {
			fmt.Fprintf(&b, "@include(if: $v%d) ", i)
		}
		return b.String() + "}"
	},
	"nested repetition": func(n int) string { // n copies at each of three levels
		inner := "{" + strings.Repeat(" name", n) + " }"
		mid := "{" + strings.Repeat(" ofType "+inner, n) + " }"
		return "{ __schema { types {" + strings.Repeat(" fields { type "+mid+" }", n) + " } } }"
	},
}

// Documents whose validation would grow with the square of their length (or
// faster) are refused before gqlgen validates them, at every size past the
// limits, with COMPLEXITY_LIMIT_EXCEEDED and a message that does not echo
// the document; the tester's megabyte of __typename is refused at once.
func TestHostileDocumentsRefusedBeforeValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 17), 17))
	sizes := map[string][2]int{ // a size refused, and the largest tried
		"one name repeated":                     {200, 95_000},
		"one name repeated with selections":     {200, 10_000},
		"one name repeated in inline fragments": {200, 10_000},
		"fragments spread together":             {200, 4_000},
		"fragments doubling":                    {20, 60},
		"nested repetition":                     {30, 200},
		"a list nested deep":                    {65, 20_000},
		"operations sharing a large fragment":   {11, 100},
		"a chain of fragments":                  {100, 6_000},
		"directives under many operations":      {300, 20_000},
		"arguments of one name":                 {200, 8_000},
		"wide selections of one name":           {40, 70},
		"operations":                            {101, 5_000},
		"variables":                             {1_001, 4_000},
	}
	for name, build := range hostile {
		lo, hi := sizes[name][0], sizes[name][1]
		for _, n := range []int{lo, hi, lo + rng.IntN(hi-lo)} {
			q := build(n)
			if len(q) > DefaultMaxBodyBytes-100 {
				continue
			}
			r := s.post(q, nil)
			// As gqlgen answers an operation over its complexity limit: 200.
			if r.status != http.StatusOK || len(r.Data) > 0 && string(r.Data) != "null" || len(r.Errors) != 1 || r.codes()[0] != errComplexityLimit ||
				strings.Contains(r.Errors[0].Message, "__typename") || len(r.Errors[0].Message) > 300 {
				t.Errorf("%s × %d (%d bytes): %d, %d errors, the first %+v", name, n, len(q), r.status, len(r.Errors), r.Errors[:min(len(r.Errors), 1)])
			}
		}
	}
}

// An answer lists at most maxErrors errors, the last saying how many more:
// the largest document of unknown directives the shape lets through finds
// tens of thousands.
func TestErrorsAreCapped(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.post(hostile["directives under many operations"](230), nil)
	if len(r.Errors) != maxErrors || r.codes()[0] != "GRAPHQL_VALIDATION_FAILED" ||
		r.Errors[maxErrors-1].Message != "… và 9540 lỗi khác." || r.codes()[maxErrors-1] != r.codes()[0] {
		t.Fatalf("%d errors, the last %+v", len(r.Errors), r.Errors[len(r.Errors)-1])
	}
}

// Every document the service's own tests consider legitimate passes the
// shape check far from its limits: every field of the schema to depth 5,
// thousands of aliases, fragments spread where a client would.
func TestLegitimateDocumentsPassTheShapeCheck(t *testing.T) {
	queries, _ := oracleQueries(loadSchema(t), []string{"x"}, "s", 0)
	docs := []string{
		aliases(3000, `changeSummary(within: $id, since: "2000-01-01") { total }`),
		aliases(1, `orgChart(rootId: $id) { nodes { id`+names(3500)+` } }`),
		`query($id: ID!) { org(id: $id) { ...A children(first: 50) { edges { node { ...A ...B } } } } }
		 fragment A on Org { id name kind memberCount } fragment B on Org { id name parent { ...A } }`,
	}
	for _, q := range queries {
		docs = append(docs, q.text)
	}
	for _, q := range docs {
		if err := (documentShape{}).refuses(q); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatal(err)
		}
		s := newShape(doc)
		for _, op := range doc.Operations {
			s.overlap(op.SelectionSet, merged{})
		}
		if s.cost > maxComparisons/100 {
			t.Errorf("%.80s: comparisons %d", q, s.cost)
		}
	}
}

// The model behind the limits: the comparisons counted grow as
// gqlparser's do, so that a document within them validates in about the
// time the largest legitimate one does.
func BenchmarkValidateAtTheShapeLimits(b *testing.B) {
	schema := loadSchema(&testing.T{})
	queries, _ := oracleQueries(schema, []string{"x"}, "s", 0)
	largest := ""
	for _, q := range queries {
		if len(q.text) > len(largest) {
			largest = q.text
		}
	}
	validate := func(b *testing.B, q string) {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			validator.ValidateWithRules(schema, doc, rules.NewDefaultRules())
		}
	}
	b.Run("largest legitimate", func(b *testing.B) { validate(b, largest) })
	for name, build := range hostile {
		// The largest size the shape check lets through.
		n := 1
		for (documentShape{}).refuses(build(n+1)) == nil {
			n++
		}
		b.Run(fmt.Sprintf("%s × %d", name, n), func(b *testing.B) { validate(b, build(n)) })
	}
}

// A websocket message over the limit a request body has is refused as it
// arrives, before or after connection_init, in one frame or in many: the
// socket closes with 1009; messages within it are served.
func TestWebsocketMessagesAreBounded(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 64 << 10})
	closed := func(c *wsClient) {
		t.Helper()
		c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := c.conn.ReadMessage()
			if err == nil {
				continue
			}
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("closed by %v, want 1009", err)
			}
			return
		}
	}
	big := strings.Repeat("x", 65<<10)
	c := s.dialWebsocket(nil)
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"pad": big}})
	closed(c)

	c = s.dialWebsocket(nil)
	c.send(map[string]any{"type": "connection_init"})
	c.receive("connection_ack")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "{ __typename }"}})
	if m := c.receive("next"); !strings.Contains(string(m.Payload), "Query") {
		t.Fatalf("a small operation: %s", m.Payload)
	}
	w, err := c.conn.NextWriter(websocket.TextMessage) // flushed in frames of the write buffer's size
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, `{"id":"2","type":"subscribe","payload":{"query":"{ __typename }","pad":"%s"}}`, big)
	w.Close()
	closed(c)
}

// inbound, on generated frames (text, continuations, control frames between
// them; lengths of 7, 16 and 64 bits) split at random points, refuses
// exactly when a message's payloads add up past the limit.
func TestInboundFramesProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t, 23), 23))
	for range 500 {
		in := inbound{limit: 70_000}
		var stream []byte
		over, message := false, 0
		for range 1 + rng.IntN(6) {
			opcode := []byte{websocket.TextMessage, 0, 0, websocket.PingMessage}[rng.IntN(4)]
			if opcode == 0 && message == 0 {
				opcode = websocket.BinaryMessage
			}
			size := []int{rng.IntN(126), 126 + rng.IntN(1000), 65_536 + rng.IntN(10_000)}[rng.IntN(3)]
			if opcode == websocket.PingMessage {
				size = rng.IntN(126)
			} else {
				if opcode != 0 {
					message = 0
				}
				message += size
				over = over || message > 70_000
			}
			header := []byte{0x80 | opcode, 0x80}
			switch {
			case size < 126:
				header[1] |= byte(size)
			case size < 65_536:
				header[1] |= 126
				header = binary.BigEndian.AppendUint16(header, uint16(size))
			default:
				header[1] |= 127
				header = binary.BigEndian.AppendUint64(header, uint64(size))
			}
			stream = append(append(stream, header...), 1, 2, 3, 4) // the mask
			stream = append(stream, make([]byte, size)...)
		}
		ok := true
		for len(stream) > 0 && ok {
			k := 1 + rng.IntN(min(len(stream), 9000))
			ok, stream = in.see(stream[:k]), stream[k:]
		}
		if ok == over {
			t.Fatalf("a message over the limit: %v, refused: %v", over, !ok)
		}
	}
}

// A body that does not arrive within bodyTimeout ends its request (a client
// sending a byte every few seconds held a connection and a file descriptor
// for ever); once a body has arrived, the request may take as long as it
// needs without its context being cancelled.
func TestSlowBodiesTimeOut(t *testing.T) {
	defer func(d time.Duration) { bodyTimeout = d }(bodyTimeout)
	bodyTimeout = 300 * time.Millisecond
	ts := httptest.NewServer(limitBody(1<<20, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "slow", http.StatusRequestTimeout)
			return
		}
		time.Sleep(3 * bodyTimeout)
		if r.Context().Err() != nil {
			http.Error(w, "cancelled", http.StatusInternalServerError)
		}
	})))
	defer ts.Close()

	resp, err := http.Post(ts.URL, "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a body on time, then a long answer: %v %v", resp, err)
	}
	resp.Body.Close()

	// Through the whole handler, as the binary serves it.
	s := newTestServer(t, Config{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	conn.SetReadDeadline(time.Now().Add(20 * bodyTimeout))
	answer, err := io.ReadAll(conn)
	if !strings.HasPrefix(string(answer), "HTTP/1.1 400") || !strings.Contains(string(answer), "BAD_USER_INPUT") {
		t.Fatalf("a body that never arrives: %q, %v", answer, err)
	}
}

// TestSilentWebsocketsAreClosed: a websocket that never sends
// connection_init is closed once the wait is over, so silent sockets cannot
// hold the server's connections.
func TestSilentWebsocketsAreClosed(t *testing.T) {
	was := websocketInitTimeout
	websocketInitTimeout = 200 * time.Millisecond
	defer func() { websocketInitTimeout = was }()
	s := newTestServer(t, Config{})
	c := s.dialWebsocket(nil)
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseProtocolError) {
				t.Fatalf("closed by %v, want the initialisation timeout", err)
			}
			return
		}
	}
}

// TestLargeDocumentsHoldFewEntries: documents over smallCachedBytes share a
// few entries of the cache, so that a client sending thousands of 16 KiB
// documents holds 32 syntax trees, not a thousand; small ones keep theirs;
// none over maxCachedBytes is kept.
func TestLargeDocumentsHoldFewEntries(t *testing.T) {
	ctx := context.Background()
	c := sizedEntries(lru.New[string](1000), lru.New[string](32), func(_, v string) int { return len(v) })
	doc := func(i, size int) string { return fmt.Sprintf("%08d", i) + strings.Repeat("x", size-8) }
	for i := range 500 {
		c.Add(ctx, fmt.Sprint("large", i), doc(i, maxCachedBytes))
		c.Add(ctx, fmt.Sprint("small", i), doc(i, smallCachedBytes))
		c.Add(ctx, fmt.Sprint("huge", i), doc(i, maxCachedBytes+1))
	}
	kept := map[string]int{}
	for _, kind := range []string{"large", "small", "huge"} {
		for i := range 500 {
			if v, ok := c.Get(ctx, fmt.Sprint(kind, i)); ok {
				if !strings.HasPrefix(v, fmt.Sprintf("%08d", i)) {
					t.Fatalf("%s %d answers another entry", kind, i)
				}
				kept[kind]++
			}
		}
	}
	if kept["large"] != 32 || kept["small"] != 500 || kept["huge"] != 0 {
		t.Fatalf("kept %v, want 32 large, 500 small, no huge", kept)
	}
}
