package server

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// websocketInitTimeout is how long a websocket may stay open before its
// connection_init (graphql-ws waits 3 s by default); a variable for tests.
var websocketInitTimeout = 10 * time.Second

// gqlgen's websocket transport (v0.17.88) breaks graphql-transport-ws in
// two ways and offers no hook for either: it closes a socket whose
// connection_init its InitFunc refused with 1000 "terminated", where the
// protocol asks for 4403 Forbidden, and it follows the error message that
// ends an operation refused before it ran with a complete message, which the
// protocol forbids (an error ends the operation). Its later versions take a
// close code from the InitFunc's context, but still send that complete, and
// bring a newer gqlparser whose English messages graphqlerrors.go matches.
// So the socket's writes go through socketConn, which sees the frames
// gorilla/websocket writes, each in one Write (its payload, when longer than
// the write buffer, in a second), and changes only those two.

// closeForbidden is graphql-transport-ws's close code for a refused
// connection_init.
const closeForbidden = 4403

// maxCloseReason is how long, in bytes, a close frame's reason may be.
const maxCloseReason = 123

// socketKey carries a request's socketConn to the websocket's InitFunc.
type socketKey struct{}

// refusingInit is init with its refusals closing the socket with 4403 and
// the refusal's message.
func refusingInit(init transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		ctx, ack, err := init(ctx, payload)
		if s, ok := ctx.Value(socketKey{}).(*socketConn); ok && err != nil {
			s.refuse(closeReason(err.Error()))
		}
		return ctx, ack, err
	}
}

// closeReason is msg if it fits a close frame, and a shorter sentence
// otherwise: the client gets the coded error over HTTP with the same token.
func closeReason(msg string) string {
	if len(msg) <= maxCloseReason && utf8.ValidString(msg) {
		return msg
	}
	return "Token bị từ chối."
}

// socketWriter hands gorilla/websocket, when it takes over the connection,
// the socketConn in the request's context.
type socketWriter struct {
	http.ResponseWriter
	conn *socketConn
}

func (w socketWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn.Conn = c
	return w.conn, brw, nil
}

// socketConn is a websocket's connection, as written by the server: the
// handshake's answer, then frames.
type socketConn struct {
	net.Conn

	mu       sync.Mutex
	upgraded bool            // the handshake's answer was written
	left     int             // bytes of the current frame's payload still to come
	fin      bool            // the current frame ends its message
	text     bool            // the current message is a text one
	tail     []byte          // the current message's last bytes
	refusal  string          // why connection_init was refused
	errored  map[string]bool // operations ended by an error message
	in       inbound         // what the client sends
	// closing is a close frame waiting for the frame being written to end;
	// closed tells that one was written, after which nothing more is.
	closing []byte
	closed  bool
}

// Read reads what the client sends, closing the socket with 1009 (message
// too big) once a message exceeds the limit a request body has: gqlgen
// reads each message whole, without a limit, before knowing whether the
// client holds a token.
func (s *socketConn) Read(b []byte) (int, error) {
	n, err := s.Conn.Read(b)
	if !s.in.see(b[:n]) {
		s.mu.Lock()
		s.close(closeFrame(websocket.CloseMessageTooBig, "Thông điệp quá lớn."))
		s.mu.Unlock()
		return 0, errMessageTooBig
	}
	return n, err
}

// close writes close frame f, once the frame being written, whose payload
// may come in a second Write, has ended; the caller holds s.mu.
func (s *socketConn) close(f []byte) {
	if s.closed {
		return
	}
	if s.left > 0 {
		s.closing = f
		return
	}
	s.closed = true
	s.Conn.Write(f)
}

var errMessageTooBig = errors.New("websocket message over its limit")

// inbound follows the frames a client sends, in reads that split them
// anywhere, adding up the payloads of each message.
type inbound struct {
	limit   int64 // bytes a message may hold
	header  []byte
	left    uint64 // bytes of the current frame's payload still to come
	message uint64 // bytes of the current data message so far
}

// see takes the next bytes read, reporting false once a message is over
// the limit.
func (in *inbound) see(b []byte) bool {
	for len(b) > 0 {
		if in.left > 0 {
			k := min(uint64(len(b)), in.left)
			in.left -= k
			b = b[k:]
			continue
		}
		in.header = append(in.header, b[0])
		b = b[1:]
		_, size, ok := frameHeader(in.header)
		if !ok {
			continue
		}
		if opcode := in.header[0] & 0x0f; opcode <= websocket.BinaryMessage { // data, not control
			if opcode != 0 { // not a continuation: a new message
				in.message = 0
			}
			if in.message += size; in.message > uint64(in.limit) || in.message < size {
				return false
			}
		}
		in.left, in.header = size, in.header[:0]
	}
	return true
}

// frameHeader reads the header of a frame at the start of h (RFC 6455
// §5.2: FIN and opcode, a payload length of 7 bits, or 16 or 64 more, and a
// 4-byte mask in a client's frames): its size and the payload's length,
// false while h holds only part of it.
func frameHeader(h []byte) (n int, length uint64, ok bool) {
	if len(h) < 2 {
		return 0, 0, false
	}
	n, length = 2, uint64(h[1]&0x7f)
	switch length {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if h[1]&0x80 != 0 { // masked
		n += 4
	}
	if len(h) < n {
		return 0, 0, false
	}
	switch length {
	case 126:
		length = uint64(binary.BigEndian.Uint16(h[2:4]))
	case 127:
		length = binary.BigEndian.Uint64(h[2:10])
	}
	return n, length, true
}

// tailSize is how much of a message's end is kept: an error message ends
// with its operation's id and type.
const tailSize = 512

var (
	errorEnd = regexp.MustCompile(`,"id":("(?:[^"\\]|\\.)*"),"type":"error"}\n?$`)
	complete = regexp.MustCompile(`^{"id":("(?:[^"\\]|\\.)*"),"type":"complete"}\n?$`)
	anyID    = regexp.MustCompile(`"id":("(?:[^"\\]|\\.)*"),"type":"\w+"}\n?$`)
)

func (s *socketConn) refuse(reason string) {
	s.mu.Lock()
	s.refusal = reason
	s.mu.Unlock()
}

func (s *socketConn) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.upgraded {
		s.upgraded = true
		return s.Conn.Write(b)
	}
	if s.closed { // the client reads no frame after a close
		return len(b), nil
	}
	if s.left > 0 { // the rest of a frame's payload
		n := min(len(b), s.left)
		s.keep(b[:n])
		n, err := s.Conn.Write(b)
		if s.left == 0 && s.closing != nil && err == nil {
			s.close(s.closing)
		}
		return n, err
	}
	// A frame from the server, its header whole in this write.
	header, length, ok := frameHeader(b)
	if !ok {
		return s.Conn.Write(b)
	}
	opcode, size := int(b[0]&0x0f), int(length)
	payload := b[header:]
	payload = payload[:min(len(payload), size)]
	whole := len(payload) == size && b[0]&0x80 != 0
	switch opcode {
	case websocket.CloseMessage:
		if s.refusal != "" {
			_, err := s.Conn.Write(closeFrame(closeForbidden, s.refusal))
			return len(b), err
		}
	case websocket.TextMessage:
		s.text, s.tail = true, s.tail[:0]
		if m := complete.FindSubmatch(payload); whole && m != nil {
			// The first message for an operation after its error: the
			// complete gqlgen sends after one, or a later operation's.
			if id := string(m[1]); s.errored[id] {
				delete(s.errored, id)
				return len(b), nil
			}
		}
	case websocket.BinaryMessage:
		s.text = false
	}
	if opcode <= websocket.BinaryMessage { // data, not control
		s.fin, s.left = b[0]&0x80 != 0, size
		s.keep(payload)
	}
	return s.Conn.Write(b)
}

// keep takes p, the next bytes of the current frame's payload, keeping the
// last tailSize bytes of a text message, and notes the message's operation
// once it ends if it is an error.
func (s *socketConn) keep(p []byte) {
	s.left -= len(p)
	if !s.text {
		return
	}
	s.tail = append(s.tail, p...)
	if len(s.tail) > tailSize {
		s.tail = append(s.tail[:0], s.tail[len(s.tail)-tailSize:]...)
	}
	if s.left > 0 || !s.fin {
		return
	}
	ids := s.errored
	if m := errorEnd.FindSubmatch(s.tail); m != nil {
		if ids == nil {
			s.errored = map[string]bool{}
		}
		s.errored[string(m[1])] = true
	} else if m := anyID.FindSubmatch(s.tail); m != nil && ids != nil {
		delete(ids, string(m[1]))
	}
}

// closeFrame is a server's close frame with code and reason.
func closeFrame(code int, reason string) []byte {
	payload := websocket.FormatCloseMessage(code, reason)
	return append([]byte{0x80 | websocket.CloseMessage, byte(len(payload))}, payload...)
}
