package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"dangbo/internal/org"
)

// FuzzVerify: no input makes Verify panic, and none is accepted unless it
// carries an HMAC-SHA256 of its header and claims under the secret, checked
// here independently of the JWT library.
func FuzzVerify(f *testing.F) {
	a := newAuth(f, Config{Secret: testSecret})
	admin := mint(f, a, &org.Principal{Subject: "fuzz", Roles: []org.AccessRole{org.Admin}})
	for _, seed := range []string{
		admin,
		mint(f, a, &org.Principal{Subject: "v", Roles: []org.AccessRole{org.Viewer, org.Officer}, Scope: []string{"a", "b"}}),
		sign(f, jwt.SigningMethodHS256, []byte(strings.Repeat("w", 32)), "", valid(nil)),
		sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", valid(nil)),
		sign(f, jwt.SigningMethodHS512, testSecret, "kid", valid(nil)),
		"", ".", "..", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", admin + "x", strings.Replace(admin, ".", "..", 1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := a.Verify(t.Context(), token)
		if err != nil {
			if org.ErrorCode(err) != org.EUnauthorized {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if !signedWith(token, testSecret) {
			t.Fatalf("accepted a token not signed with the secret: %q → %+v", token, p)
		}
		if p.Subject == "" || len(p.Roles) == 0 || (len(p.Scope) == 0 && !p.Everywhere()) {
			t.Fatalf("accepted an incomplete principal %+v from %q", p, token)
		}
	})
}

// signedWith reports whether token's third segment is the HMAC-SHA256 of the
// first two under secret.
func signedWith(token string, secret []byte) bool {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return false
	}
	signature, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(token[:i]))
	return hmac.Equal(signature, mac.Sum(nil))
}
