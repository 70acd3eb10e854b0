package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// mint runs dangbo token with DANGBO_JWT_SECRET set to secret.
func mint(secret string, args ...string) (string, error) {
	cmd := exec.Command(binary, append([]string{"token"}, args...)...)
	cmd.Env = append(os.Environ(), "DANGBO_JWT_SECRET="+secret)
	out, err := cmd.Output()
	if exit, ok := err.(*exec.ExitError); ok {
		return "", fmt.Errorf("%w: %s", err, exit.Stderr)
	}
	return strings.TrimSpace(string(out)), err
}

// unauthenticated reports whether a response is a 401 with code UNAUTHENTICATED.
func unauthenticated(status int, body []byte) bool {
	var r struct {
		Errors []struct{ Extensions struct{ Code string } }
	}
	return status == http.StatusUnauthorized && json.Unmarshal(body, &r) == nil &&
		len(r.Errors) == 1 && r.Errors[0].Extensions.Code == "UNAUTHENTICATED"
}

// TestTokens: without --dev the service answers only requests with a token
// that dangbo token signed with the same secret.
func TestTokens(t *testing.T) {
	s := start(t, t.TempDir())
	if status, body := s.post("", `{ roots { name } }`, nil); !unauthenticated(status, body) {
		t.Fatalf("without a token: %d %s", status, body)
	}
	var found struct {
		Search struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	s.query(&found, `{ search(text: "tam hong", first: 1, types: [ORG]) { edges { node { ... on Org { id } } } } }`, nil)
	commune := found.Search.Edges[0].Node.ID

	viewer, err := mint(testSecret, "--role", "viewer", "--org", commune, "--subject", "can-bo-xa", "--ttl", "1h")
	if err != nil {
		t.Fatal(err)
	}
	s.token = viewer
	var got struct{ Org struct{ Name string } }
	s.query(&got, `query($id: ID!) { org(id: $id) { name } }`, map[string]any{"id": commune})
	if got.Org.Name != "Đảng bộ xã Tam Hồng" {
		t.Fatalf("the viewer's own commune: %+v", got)
	}

	other, err := mint(strings.Repeat("z", 32), "--role", "admin", "--subject", "x")
	if err != nil {
		t.Fatal(err)
	}
	if status, body := s.post(other, `{ roots { name } }`, nil); !unauthenticated(status, body) ||
		!strings.Contains(string(body), "Chữ ký của token không hợp lệ.") {
		t.Fatalf("a token of another secret: %d %s", status, body)
	}

	for _, tc := range []struct {
		name, secret string
		args         []string
		want         string // in the error output
	}{
		{"no secret", "", []string{"--role", "admin", "--subject", "x"}, "DANGBO_JWT_SECRET"},
		{"a short secret", "short", []string{"--role", "admin", "--subject", "x"}, "32 bytes"},
		{"an unknown role", testSecret, []string{"--role", "secretary", "--subject", "x"}, "secretary"},
		{"no organisation for a viewer", testSecret, []string{"--role", "viewer", "--subject", "x"}, "orgs"},
		{"no subject", testSecret, []string{"--role", "admin"}, "sub"},
		{"no role", testSecret, []string{"--subject", "x", "--org", commune}, "roles"},
	} {
		if out, err := mint(tc.secret, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q, %v; want an error naming %q", tc.name, out, err, tc.want)
		}
	}
}

// TestServeNeedsAWayToVerifyTokens: without a secret, a JWKS URL or --dev,
// serve refuses to start and says what to set.
func TestServeNeedsAWayToVerifyTokens(t *testing.T) {
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	cmd.Env = append(os.Environ(), "DANGBO_JWT_SECRET=", "DANGBO_JWKS_URL=", "NEO4J_URI=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "DANGBO_JWT_SECRET") || !strings.Contains(string(out), "--dev") {
		t.Fatalf("serve without a way to verify tokens: %v\n%s", err, out)
	}
}

var devToken = regexp.MustCompile(`(?m)^# (\w+)[^\n]*\n[A-Z]+=(\S+)\ncurl [^\n]*\\"(\w+)\\"`)

// TestDevMode: the README's command warns loudly, serves requests without a
// token as admin, still refuses bad tokens, and prints a working token for
// each demo role, scoped to its organisation.
func TestDevMode(t *testing.T) {
	s := startWithEnv(t, nil, t.TempDir(), "--dev")
	if n := strings.Count(s.log.String(), "level=WARN msg=\"DEV MODE"); n < 3 {
		t.Fatalf("%d dev-mode warnings:\n%s", n, s.log)
	}
	s.token = ""
	var roots struct{ Roots []struct{ Name string } }
	s.query(&roots, `{ roots { name } }`, nil)
	if len(roots.Roots) != 3 {
		t.Fatalf("roots without a token = %+v", roots)
	}
	if status, body := s.post(adminToken, `{ roots { name } }`, nil); !unauthenticated(status, body) {
		t.Fatalf("a token of another secret: %d %s", status, body)
	}

	// The process prints the tokens before it starts listening; its stdout
	// may trail the log a little.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.stdout.String(), "ADMIN=") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	wantScope := map[string]string{
		"viewer":    "Đảng bộ tỉnh Quảng Ninh",
		"officer":   "Đảng bộ Khối các cơ quan tỉnh Quảng Ninh",
		"organiser": "Đảng bộ xã Tam Hồng",
	}
	tokens := devToken.FindAllStringSubmatch(s.stdout.String(), -1)
	if len(tokens) != len(wantScope) || !strings.Contains(s.stdout.String(), "\nADMIN=") {
		t.Fatalf("dev tokens:\n%s", s.stdout)
	}
	for _, m := range tokens {
		role, token, scope := m[1], m[2], m[3]
		s.token = token
		var got struct{ Org struct{ Name string } }
		s.query(&got, `query($id: ID!) { org(id: $id) { name } }`, map[string]any{"id": scope})
		if got.Org.Name != wantScope[role] {
			t.Errorf("%s's organisation = %q, want %q", role, got.Org.Name, wantScope[role])
		}
	}
}
