package server

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// TestTooBigCloseFollowsTheFrame: the close frame for a message too big,
// read while the server writes a data frame in two parts (as
// gorilla/websocket writes a payload longer than its buffer), follows that
// frame whole, and nothing follows it; written alone otherwise. Once in
// that order, then with the writes and the read racing.
func TestTooBigCloseFollowsTheFrame(t *testing.T) {
	payload := bytes.Repeat([]byte("a"), 300)
	frame := append([]byte{0x80 | websocket.TextMessage, 126, 0, 0}, payload...)
	binary.BigEndian.PutUint16(frame[2:4], uint16(len(payload)))
	split := 100

	// run writes frames (each in two Writes) with write, while the client
	// sends a message over the limit with read, and returns what the client
	// received.
	run := func(t *testing.T, steps func(s *socketConn, write func(), read func())) []byte {
		server, client := net.Pipe()
		s := &socketConn{Conn: server, upgraded: true, in: inbound{limit: 8}}
		received := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(client)
			received <- b
		}()
		write := func() {
			for _, part := range [][]byte{frame[:split], frame[split:]} {
				if _, err := s.Write(part); err != nil {
					t.Error(err)
				}
			}
		}
		read := func() {
			go client.Write([]byte{0x80 | websocket.TextMessage, 0x80 | 100, 1, 2, 3, 4}) // masked, 100 bytes announced
			if _, err := s.Read(make([]byte, 64)); err != errMessageTooBig {
				t.Errorf("Read: %v, want the message refused", err)
			}
		}
		steps(s, write, read)
		server.Close()
		return <-received
	}
	// frames splits what the client received into frames, failing unless
	// each is whole: data frames as written, then one close frame, 1009.
	frames := func(t *testing.T, b []byte) (data int) {
		t.Helper()
		for len(b) > 0 {
			n, length, ok := frameHeader(b)
			if !ok || len(b) < n+int(length) {
				t.Fatalf("a frame cut short: % x", b[:min(len(b), 16)])
			}
			f := b[:n+int(length)]
			b = b[len(f):]
			switch f[0] & 0x0f {
			case websocket.TextMessage:
				if !bytes.Equal(f, frame) {
					t.Fatalf("a data frame of %d bytes, not the one written (%d bytes): frames interleaved", len(f), len(frame))
				}
				data++
			case websocket.CloseMessage:
				if code := binary.BigEndian.Uint16(f[n:]); code != websocket.CloseMessageTooBig || len(b) > 0 {
					t.Fatalf("close %d with %d bytes after it; want 1009, last", code, len(b))
				}
				return data
			default:
				t.Fatalf("a frame of opcode %d", f[0]&0x0f)
			}
		}
		t.Fatal("no close frame")
		return data
	}

	t.Run("between the parts of a frame", func(t *testing.T) {
		got := run(t, func(s *socketConn, _ func(), read func()) {
			s.Write(frame[:split])
			read()
			s.Write(frame[split:])
			s.Write(frame) // after the close: not sent
		})
		if n := frames(t, got); n != 1 {
			t.Fatalf("%d data frames before the close, want the one begun", n)
		}
	})
	t.Run("alone", func(t *testing.T) {
		got := run(t, func(_ *socketConn, write func(), read func()) {
			write()
			read()
		})
		if n := frames(t, got); n != 1 {
			t.Fatalf("%d data frames before the close, want 1", n)
		}
	})
	t.Run("racing", func(t *testing.T) {
		for range 200 {
			got := run(t, func(_ *socketConn, write func(), read func()) {
				var wg sync.WaitGroup
				wg.Go(func() {
					for range 3 {
						write()
					}
				})
				read()
				wg.Wait()
			})
			frames(t, got)
		}
	})
}
