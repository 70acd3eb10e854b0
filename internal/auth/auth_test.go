package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"dangbo/internal/org"
)

var testSecret = []byte("a secret of thirty-two bytes or more, for tests")

func newAuth(t testing.TB, cfg Config) *Authenticator {
	t.Helper()
	a, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sign makes a token with any algorithm, key, header and claims.
func sign(t testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// valid is a viewer's claims that any verifier here accepts; tests change one
// thing at a time.
func valid(change func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"sub": "can-bo-1", "roles": []string{"viewer"}, "orgs": []string{"org-1"},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if change != nil {
		change(c)
	}
	return c
}

// wantRefused fails unless err is an UNAUTHENTICATED *org.Error with want's message.
func wantRefused(t *testing.T, p *org.Principal, err error, want *org.Error) {
	t.Helper()
	var e *org.Error
	if !errors.As(err, &e) || e.Code != org.EUnauthorized || e.Message != want.Message {
		t.Fatalf("got %+v, %v; want %q", p, err, want.Message)
	}
}

func TestVerifyRefuses(t *testing.T) {
	a := newAuth(t, Config{Secret: testSecret})
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", c) }
	without := func(claim string) string { return hs(valid(func(c jwt.MapClaims) { delete(c, claim) })) }
	with := func(claim string, v any) string { return hs(valid(func(c jwt.MapClaims) { c[claim] = v })) }
	good := hs(valid(nil))
	header, payload, _ := strings.Cut(good, ".")
	payload, signature, _ := strings.Cut(payload, ".")
	asAdmin := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"can-bo-1","roles":["admin"],"exp":9999999999}`))
	noneAlg := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", valid(nil))

	for _, tc := range []struct {
		name, token string
		want        *org.Error
	}{
		{"expired", with("exp", time.Now().Add(-2*Leeway).Unix()), errExpired},
		{"not valid before a future nbf", with("nbf", time.Now().Add(2*Leeway).Unix()), errNotYetValid},
		{"issued in the future", with("iat", time.Now().Add(2*Leeway).Unix()), errNotYetValid},
		{"signed with another secret", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), "", valid(nil)), errSignature},
		{"claims changed after signing", header + "." + asAdmin + "." + signature, errSignature},
		{"signature cut off", header + "." + payload + ".", errSignature},
		{"alg none", noneAlg, errAlgorithm},
		{"alg none without the trailing dot", strings.TrimSuffix(noneAlg, "."), errMalformed},
		{"HS512, not accepted", sign(t, jwt.SigningMethodHS512, testSecret, "", valid(nil)), errAlgorithm},
		{"unknown alg", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"XX256","typ":"JWT"}`)) + "." + payload + "." + signature, errAlgorithm},
		{"no exp", without("exp"), errNoExpiry},
		{"no sub", without("sub"), errNoSubject},
		{"empty sub", with("sub", ""), errNoSubject},
		{"no roles", without("roles"), errNoRoles},
		{"empty roles", with("roles", []string{}), errNoRoles},
		{"roles not an array", with("roles", "viewer"), errMalformed},
		{"no scope for a viewer", without("orgs"), errNoScope},
		{"empty scope for an officer", hs(valid(func(c jwt.MapClaims) { c["roles"] = []string{"officer"}; c["orgs"] = []string{} })), errNoScope},
		{"an empty organisation id in the scope", with("orgs", []string{"org-1", ""}), errEmptyScope},
		{"scope not an array", with("orgs", "org-1"), errMalformed},
		{"exp not a number", with("exp", "tomorrow"), errMalformed},
		{"empty", "", errMalformed},
		{"one segment", "abc", errMalformed},
		{"four segments", good + ".x", errMalformed},
		{"header not base64", "!!!." + payload + "." + signature, errMalformed},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("{")) + "." + payload + "." + signature, errMalformed},
		{"padded base64", header + "=." + payload + "." + signature, errMalformed},
		{"too long", strings.Repeat("a", maxTokenBytes+1), errMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Verify(t.Context(), tc.token)
			wantRefused(t, p, err, tc.want)
		})
	}
	t.Run("unknown role", func(t *testing.T) {
		p, err := a.Verify(t.Context(), with("roles", []string{"viewer", "secretary"}))
		wantRefused(t, p, err, unauthenticated("Token có vai trò không xác định %q (chỉ có viewer, officer, organiser, admin).", "secretary"))
	})
}

func TestVerifyAccepts(t *testing.T) {
	a := newAuth(t, Config{Secret: testSecret})
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", c) }
	for _, tc := range []struct {
		name  string
		token string
		want  org.Principal
	}{
		{"a viewer", hs(valid(nil)), org.Principal{Subject: "can-bo-1", Roles: []org.AccessRole{org.Viewer}, Scope: []string{"org-1"}}},
		{"an admin needs no scope", hs(valid(func(c jwt.MapClaims) { c["roles"] = []string{"admin"}; delete(c, "orgs") })),
			org.Principal{Subject: "can-bo-1", Roles: []org.AccessRole{org.Admin}}},
		{"roles sorted, repeats dropped", hs(valid(func(c jwt.MapClaims) { c["roles"] = []string{"organiser", "viewer", "organiser"} })),
			org.Principal{Subject: "can-bo-1", Roles: []org.AccessRole{org.Viewer, org.Organiser}, Scope: []string{"org-1"}}},
		{"expired within the leeway", hs(valid(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-Leeway / 2).Unix() })),
			org.Principal{Subject: "can-bo-1", Roles: []org.AccessRole{org.Viewer}, Scope: []string{"org-1"}}},
		{"nbf within the leeway", hs(valid(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(Leeway / 2).Unix() })),
			org.Principal{Subject: "can-bo-1", Roles: []org.AccessRole{org.Viewer}, Scope: []string{"org-1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Verify(t.Context(), tc.token)
			if err != nil || p.Subject != tc.want.Subject || !slices.Equal(p.Roles, tc.want.Roles) || !slices.Equal(p.Scope, tc.want.Scope) {
				t.Fatalf("got %+v, %v; want %+v", p, err, tc.want)
			}
		})
	}
}

func TestIssuerAndAudience(t *testing.T) {
	a := newAuth(t, Config{Secret: testSecret, Issuer: "https://id.example.vn", Audience: "dangbo"})
	hs := func(change func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodHS256, testSecret, "", valid(func(c jwt.MapClaims) {
			c["iss"], c["aud"] = "https://id.example.vn", []string{"other", "dangbo"}
			change(c)
		}))
	}
	if p, err := a.Verify(t.Context(), hs(func(jwt.MapClaims) {})); err != nil {
		t.Fatalf("iss and one of the audiences right: %+v, %v", p, err)
	}
	if p, err := a.Verify(t.Context(), hs(func(c jwt.MapClaims) { c["aud"] = "dangbo" })); err != nil {
		t.Fatalf("aud as a string: %+v, %v", p, err)
	}
	for _, tc := range []struct {
		name   string
		change func(jwt.MapClaims)
		want   *org.Error
	}{
		{"another issuer", func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }, errIssuer},
		{"no issuer", func(c jwt.MapClaims) { delete(c, "iss") }, errIssuer},
		{"another audience", func(c jwt.MapClaims) { c["aud"] = "other" }, errAudience},
		{"no audience", func(c jwt.MapClaims) { delete(c, "aud") }, errAudience},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Verify(t.Context(), hs(tc.change))
			wantRefused(t, p, err, tc.want)
		})
	}
}

func TestMint(t *testing.T) {
	a := newAuth(t, Config{Secret: testSecret, Issuer: "dangbo-test", Audience: "dangbo"})
	officer := &org.Principal{Subject: "can-bo-2", Roles: []org.AccessRole{org.Officer, org.Organiser}, Scope: []string{"a", "b"}}
	token, err := a.Mint(officer, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Verify(t.Context(), token)
	if err != nil || p.Subject != officer.Subject || !slices.Equal(p.Roles, officer.Roles) || !slices.Equal(p.Scope, officer.Scope) {
		t.Fatalf("minted %+v, verified %+v, %v", officer, p, err)
	}
	expired, err := a.Mint(officer, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond)
	if _, err := newAuth(t, Config{Secret: testSecret}).Verify(t.Context(), expired); err != nil {
		t.Fatalf("a token a nanosecond old is within the leeway: %v", err)
	}

	for _, tc := range []struct {
		name string
		p    *org.Principal
		ttl  time.Duration
	}{
		{"no subject", &org.Principal{Roles: []org.AccessRole{org.Admin}}, time.Hour},
		{"no role", &org.Principal{Subject: "x", Scope: []string{"a"}}, time.Hour},
		{"no scope", &org.Principal{Subject: "x", Roles: []org.AccessRole{org.Viewer}}, time.Hour},
		{"no lifetime", officer, 0},
	} {
		if token, err := a.Mint(tc.p, tc.ttl); err == nil {
			t.Errorf("%s: minted %s", tc.name, token)
		}
	}
	jwksOnly := newAuth(t, Config{JWKSURL: newJWKS(t, nil).URL})
	if token, err := jwksOnly.Mint(officer, time.Hour); err == nil {
		t.Errorf("minted without a secret: %s", token)
	}
}

func TestNewRefuses(t *testing.T) {
	for name, cfg := range map[string]Config{
		"nothing to verify with":  {Dev: true},
		"a short secret":          {Secret: []byte("short")},
		"a JWKS URL that is none": {JWKSURL: "::"},
	} {
		if _, err := New(t.Context(), cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// jwksServer serves a JWK Set whose keys the test may change.
type jwksServer struct {
	*httptest.Server
	mu   sync.Mutex
	keys map[string]any // kid → public key
}

func newJWKS(t *testing.T, keys map[string]any) *jwksServer {
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": jwkList(t, s.keys)})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) add(kid string, key any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[kid] = key
}

func jwkList(t *testing.T, keys map[string]any) []map[string]string {
	b64 := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }
	var list []map[string]string
	for kid, key := range keys {
		switch k := key.(type) {
		case *rsa.PublicKey:
			list = append(list, map[string]string{"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
				"n": b64(k.N), "e": b64(big.NewInt(int64(k.E)))})
		case *ecdsa.PublicKey:
			point, err := k.Bytes() // uncompressed: 0x04 ‖ X ‖ Y
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, map[string]string{"kty": "EC", "kid": kid, "alg": "ES256", "use": "sig", "crv": "P-256",
				"x": base64.RawURLEncoding.EncodeToString(point[1:33]), "y": base64.RawURLEncoding.EncodeToString(point[33:])})
		default:
			t.Fatalf("no JWK for %T", key)
		}
	}
	return list
}

func TestJWKS(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idp := newJWKS(t, map[string]any{"rsa-1": &rsaKey.PublicKey, "ec-1": &ecKey.PublicKey})
	a := newAuth(t, Config{JWKSURL: idp.URL, Issuer: "https://id.example.vn"})
	claims := func() jwt.MapClaims {
		return valid(func(c jwt.MapClaims) { c["iss"] = "https://id.example.vn" })
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	for _, tc := range []struct{ name, token string }{
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", claims())},
		{"ES256", sign(t, jwt.SigningMethodES256, ecKey, "ec-1", claims())},
		{"RS256 without a key id", sign(t, jwt.SigningMethodRS256, rsaKey, "", claims())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, err := a.Verify(t.Context(), tc.token); err != nil || p.Subject != "can-bo-1" {
				t.Fatalf("got %+v, %v", p, err)
			}
		})
	}
	for _, tc := range []struct {
		name, token string
		want        *org.Error
	}{
		// The classic confusion: the public key, which anyone has, used as an HMAC secret.
		{"HS256 with the public key PEM as secret", sign(t, jwt.SigningMethodHS256, pubPEM, "rsa-1", claims()), errAlgorithm},
		{"HS256 with the public key DER as secret", sign(t, jwt.SigningMethodHS256, pubDER, "rsa-1", claims()), errAlgorithm},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-1", claims()), errAlgorithm},
		{"RS512, not accepted", sign(t, jwt.SigningMethodRS512, rsaKey, "rsa-1", claims()), errAlgorithm},
		{"signed by another key under a known id", sign(t, jwt.SigningMethodRS256, otherRSA, "rsa-1", claims()), errSignature},
		{"an EC key id on an RS256 token", sign(t, jwt.SigningMethodRS256, rsaKey, "ec-1", claims()), errUnknownKey},
		{"unknown key id", sign(t, jwt.SigningMethodRS256, otherRSA, "rsa-9", claims()), errUnknownKey},
		{"expired", sign(t, jwt.SigningMethodES256, ecKey, "ec-1", valid(func(c jwt.MapClaims) {
			c["iss"], c["exp"] = "https://id.example.vn", time.Now().Add(-time.Hour).Unix()
		})), errExpired},
		{"another issuer", sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", valid(nil)), errIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Verify(t.Context(), tc.token)
			wantRefused(t, p, err, tc.want)
		})
	}

	t.Run("a secret and a key set, each for its own algorithm", func(t *testing.T) {
		both := newAuth(t, Config{Secret: testSecret, JWKSURL: idp.URL})
		for _, token := range []string{
			sign(t, jwt.SigningMethodHS256, testSecret, "", valid(nil)),
			sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", valid(nil)),
		} {
			if _, err := both.Verify(t.Context(), token); err != nil {
				t.Fatal(err)
			}
		}
		p, err := both.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, pubPEM, "rsa-1", valid(nil)))
		wantRefused(t, p, err, errSignature)
	})

	t.Run("a key added later is fetched when a token names it", func(t *testing.T) {
		rotating := newAuth(t, Config{JWKSURL: idp.URL})
		if _, err := rotating.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", valid(nil))); err != nil {
			t.Fatal(err)
		}
		idp.add("rsa-2", &otherRSA.PublicKey)
		if p, err := rotating.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, otherRSA, "rsa-2", valid(nil))); err != nil {
			t.Fatalf("new key: %+v, %v", p, err)
		}
	})
}
