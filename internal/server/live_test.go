package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

const changesSubscription = `subscription { changes { seq type subjects { ... on Org { id name } } after } }`

// liveEvent is one answer of a stream: a change, or the error it ended with.
type liveEvent struct {
	Data struct {
		Changes struct {
			Seq  int64  `json:"seq"`
			Type string `json:"type"`
		} `json:"changes"`
	} `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	raw string
}

func (e liveEvent) code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	code, _ := e.Errors[0].Extensions["code"].(string)
	return code
}

// liveStream is a subscription over a websocket or server-sent events: its
// answers in order, then closed when the stream completes.
type liveStream struct {
	t      *testing.T
	events chan liveEvent
}

// next is the stream's next answer; it fails the test if none comes in time
// or the stream completed.
func (l *liveStream) next() liveEvent {
	l.t.Helper()
	select {
	case e, ok := <-l.events:
		if !ok {
			l.t.Fatal("the stream completed")
		}
		return e
	case <-time.After(10 * time.Second):
		l.t.Fatal("no answer came")
	}
	return liveEvent{}
}

// completes checks that the stream completes next.
func (l *liveStream) completes() {
	l.t.Helper()
	select {
	case e, ok := <-l.events:
		if ok {
			l.t.Fatalf("got %s, want the stream completed", e.raw)
		}
	case <-time.After(10 * time.Second):
		l.t.Fatal("the stream did not complete")
	}
}

func parseEvent(t *testing.T, payload []byte) liveEvent {
	var e liveEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		t.Errorf("answer %s: %v", payload, err)
	}
	e.raw = string(payload)
	return e
}

// subscribeSSE subscribes with token over server-sent events.
func (s *testServer) subscribeSSE(token, query string) *liveStream {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	ctx, cancel := context.WithCancel(context.Background())
	s.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "POST", s.url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("server-sent events answered %d %s: %s", resp.StatusCode, ct, b)
	}
	l := &liveStream{t: s.t, events: make(chan liveEvent, 100)}
	go func() {
		defer resp.Body.Close()
		defer close(l.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
				if event == "complete" {
					return
				}
			case strings.HasPrefix(line, "data: ") && event == "next":
				l.events <- parseEvent(s.t, []byte(strings.TrimPrefix(line, "data: ")))
			}
		}
	}()
	return l
}

// subscribeWebsocket subscribes with token over graphql-transport-ws.
func (s *testServer) subscribeWebsocket(token, query string) *liveStream {
	s.t.Helper()
	ws := s.dialWebsocket(nil)
	ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	ws.receive("connection_ack")
	ws.send(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": query}})
	l := &liveStream{t: s.t, events: make(chan liveEvent, 100)}
	go func() {
		defer close(l.events)
		for {
			var m wsMessage
			if err := ws.conn.ReadJSON(&m); err != nil {
				return
			}
			switch m.Type {
			case "next":
				l.events <- parseEvent(s.t, m.Payload)
			case "complete":
				return
			}
		}
	}()
	return l
}

// TestLiveChangesOverHTTP: a subscription, over a websocket or server-sent
// events, receives the changes of the caller's subtree as mutations commit
// them, and never another district's; it ends with UNAUTHENTICATED when its
// token expires; the open streams show in the metrics.
func TestLiveChangesOverHTTP(t *testing.T) {
	m := NewMetrics()
	a, err := auth.New(t.Context(), auth.Config{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{Auth: a, Metrics: m})
	metrics := httptest.NewServer(AdminHandler(m))
	t.Cleanup(metrics.Close)
	province, district, commune, village, _ := s.commune()
	ctx := org.WithPrincipal(context.Background(), org.System)
	mk := func(parent, name string, kind org.Kind, sector org.Sector) string {
		o, err := s.svc.CreateOrg(ctx, org.NewOrg{ParentID: parent, Name: name, Kind: kind, Sector: sector})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	district2 := mk(province, "Đảng bộ huyện Sông Lô", org.District, org.SectorOther)
	commune2 := mk(district2, "Đảng bộ xã Bạch Lưu", org.GrassrootsCommittee, org.SectorCommune)
	cell2 := mk(commune2, "Chi bộ thôn Cao Quang", org.Cell, org.SectorVillage)
	mint := func(subject string, role org.AccessRole, ttl time.Duration, scope ...string) string {
		token, err := a.Mint(&org.Principal{Subject: subject, Roles: []org.AccessRole{role}, Scope: scope}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	admin := mint("admin", org.Admin, time.Hour)
	mutate := func(query string) int64 {
		t.Helper()
		s.token = admin
		var out map[string]struct {
			Seq int64 `json:"seq"`
		}
		s.data(s.post(query, nil), &out)
		for _, c := range out {
			return c.Seq
		}
		return 0
	}
	rename := func(id, name, issuer, number string) int64 {
		return mutate(`mutation { renameOrg(id: "` + id + `", name: "` + name + `", decision: {number: "` + number +
			`", date: "2021-01-01", issuerId: "` + issuer + `"}) { seq } }`)
	}

	byWebsocket := s.subscribeWebsocket(mint("can-bo-1", org.Viewer, time.Hour, district), changesSubscription)
	bySSE := s.subscribeSSE(mint("can-bo-2", org.Viewer, time.Hour, district), changesSubscription)
	other := s.subscribeSSE(mint("can-bo-3", org.Officer, time.Hour, district2), changesSubscription)
	// A subscription starts before its first answer: wait until all three
	// follow the feed, as the gauge tells.
	waitFor(t, func() bool {
		_, body := get(t, metrics.URL+"/metrics")
		return strings.Contains(body, "dangbo_graphql_streams 3\n")
	})

	inDistrict := rename(village, "Chi bộ thôn Đông Mới", commune, "1-QĐ/ĐU")
	for name, l := range map[string]*liveStream{"websocket": byWebsocket, "server-sent events": bySSE} {
		if e := l.next(); e.Data.Changes.Seq != inDistrict || e.Data.Changes.Type != "RENAMED" || !strings.Contains(e.raw, "Chi bộ thôn Đông Mới") {
			t.Fatalf("over %s the district's viewer got %s, want the rename %d", name, e.raw, inDistrict)
		}
	}
	outside := rename(cell2, "Chi bộ thôn Cao Quang Mới", commune2, "2-QĐ/ĐU")
	if e := other.next(); e.Data.Changes.Seq != outside {
		t.Fatalf("the other district's officer got %s, want %d", e.raw, outside)
	}
	// A cell moved from the other district into this one arrives, naming
	// nothing of where it came from.
	moved := mutate(`mutation { transferOrg(id: "` + cell2 + `", parentId: "` + commune + `", decision: {number: "3-QĐ/TU", date: "2021-01-01", issuerId: "` + province + `"}) { seq } }`)
	for name, l := range map[string]*liveStream{"websocket": byWebsocket, "server-sent events": bySSE} {
		e := l.next()
		if e.Data.Changes.Seq != moved {
			t.Fatalf("over %s the district's viewer got %s, want the transfer %d (not the other district's rename %d)", name, e.raw, moved, outside)
		}
		for _, hidden := range []string{district2, commune2, "Sông Lô", "Bạch Lưu"} {
			if strings.Contains(e.raw, hidden) {
				t.Fatalf("over %s the district's viewer got %s, which names %q of the other district", name, e.raw, hidden)
			}
		}
	}
	if e := other.next(); e.Data.Changes.Seq != moved || strings.Contains(e.raw, commune) || strings.Contains(e.raw, "Tam Hồng") {
		t.Fatalf("the other district's officer got %s, want the transfer %d naming nothing of the first district", e.raw, moved)
	}

	// Resumed after a change, a stream first gives those recorded since, as
	// its caller sees them.
	resumed := s.subscribeSSE(mint("can-bo-4", org.Viewer, time.Hour, district),
		fmt.Sprintf(`subscription { changes(after: %d) { seq type subjects { ... on Org { id name } } after } }`, inDistrict-1))
	for _, want := range []int64{inDistrict, moved} {
		if e := resumed.next(); e.Data.Changes.Seq != want || strings.Contains(e.raw, "Bạch Lưu") {
			t.Fatalf("resumed, the district's viewer got %s, want %d naming nothing of the other district", e.raw, want)
		}
	}

	// A stream on a subtree gets the change that takes it out of the
	// caller's scope, then ends.
	within := s.subscribeSSE(mint("can-bo-5", org.Viewer, time.Hour, district),
		`subscription { changes(within: "`+cell2+`") { seq type } }`)
	waitFor(t, func() bool { return s.svc.OpenStreams() == 5 })
	back := mutate(`mutation { transferOrg(id: "` + cell2 + `", parentId: "` + commune2 + `", decision: {number: "4-QĐ/TU", date: "2021-01-01", issuerId: "` + province + `"}) { seq } }`)
	if e := within.next(); e.Data.Changes.Seq != back || e.Data.Changes.Type != "TRANSFERRED" {
		t.Fatalf("a stream on the cell got %s, want its transfer out %d", e.raw, back)
	}
	if e := within.next(); e.code() != org.ENotFound {
		t.Fatalf("after the cell left, its stream gave %s, want NOT_FOUND", e.raw)
	}
	within.completes()

	// A stream ends with its token: exp is in whole seconds.
	for name, subscribe := range map[string]func(string, string) *liveStream{"websocket": s.subscribeWebsocket, "server-sent events": s.subscribeSSE} {
		l := subscribe(mint("het-han", org.Viewer, 1500*time.Millisecond, district), changesSubscription)
		if e := l.next(); e.code() != org.EUnauthorized || !strings.Contains(e.Errors[0].Message, "hết hạn") ||
			e.Errors[0].Extensions["requestId"] == nil {
			t.Fatalf("over %s a stream whose token expired ended with %s", name, e.raw)
		}
		l.completes()
	}

	// A caller has at most the limit of streams open.
	s.svc.SetStreamLimit(1)
	limited := mint("gioi-han", org.Viewer, time.Hour, district)
	s.subscribeSSE(limited, changesSubscription)
	waitFor(t, func() bool { return s.svc.OpenStreams() == 5 })
	if e := s.subscribeWebsocket(limited, changesSubscription).next(); e.code() != org.ELimitExceeded {
		t.Fatalf("a second stream over the limit of one: %s", e.raw)
	}
	if _, body := get(t, metrics.URL+"/metrics"); !strings.Contains(body, `dangbo_requests_refused_total{limit="streams"} 1`+"\n") {
		t.Fatalf("the refused stream is not counted:\n%s", body)
	}

	// A subscription needs a stream, and a stream is for subscriptions.
	s.token = admin
	if r := s.post(changesSubscription, nil); len(r.Errors) != 1 || r.codes()[0] != org.EInvalid {
		t.Fatalf("a subscription by POST: %+v", r)
	}
	if e := s.subscribeSSE(admin, `{ roots { id } }`).next(); e.code() != org.EInvalid {
		t.Fatalf("a query over server-sent events: %s", e.raw)
	}
	req, _ := http.NewRequest("POST", s.url+"/graphql", strings.NewReader(`{"query": "subscription {`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusBadRequest || r.codes()[0] != org.EInvalid {
		t.Fatalf("a body that is not JSON, for server-sent events: %d %+v %v", resp.StatusCode, r, err)
	}
}

// waitFor polls ok until it holds, failing the test after a while.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
	}
}

// TestShutdownEndsEventStreams: a server shutting down ends its
// server-sent event streams, which would otherwise hold the shutdown until
// its deadline; the client sees the stream complete.
func TestShutdownEndsEventStreams(t *testing.T) {
	s := newTestServer(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, s.handler, slog.New(slog.DiscardHandler)) }()
	own := *s
	own.url = "http://" + ln.Addr().String()
	l := own.subscribeSSE("", changesSubscription)
	waitFor(t, func() bool { return s.svc.OpenStreams() == 1 })
	start := time.Now()
	stop()
	l.completes()
	if err := <-served; err != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Serve returned %v after %v", err, time.Since(start))
	}
}
