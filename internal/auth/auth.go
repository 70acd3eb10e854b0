// Package auth decides who calls dangbo: it verifies bearer JWTs (HS256 with a
// shared secret, RS256 and ES256 with an identity provider's JWKS), turns their
// claims into an org.Principal, mints HS256 tokens, and bounds each caller's
// request rate.
package auth

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"dangbo/internal/org"
)

// Leeway is how far the clocks of the token's issuer and of this service may
// disagree on exp, nbf and iat.
const Leeway = 30 * time.Second

// MinSecretBytes is the shortest HS256 secret accepted: shorter ones can be
// guessed offline from a single token.
const MinSecretBytes = 32

// maxTokenBytes bounds what is decoded before the signature is checked.
const maxTokenBytes = 16 << 10

// Config says how tokens are verified. At least one of Secret and JWKSURL is
// needed; with both, HS256 tokens are checked against the secret and RS256 or
// ES256 tokens against the key set, never the other way round.
type Config struct {
	// Secret verifies HS256 tokens and signs those of Mint.
	Secret []byte
	// JWKSURL is an identity provider's key set. The keys are fetched at
	// start, refreshed hourly, and again (at most every 5 minutes) when a
	// token names an unknown key id.
	JWKSURL string
	// Issuer and Audience, when set, must be the token's iss and one of its aud.
	Issuer, Audience string
	// Dev lets requests without a token through as DevPrincipal. A request
	// with a token is still verified.
	Dev bool
	// Log hears of key sets that cannot be fetched and, at debug level, of
	// why each token was refused.
	Log *slog.Logger
}

// Authenticator verifies tokens; its Middleware and WebsocketInit put the
// caller's principal into the context of each request and connection.
type Authenticator struct {
	secret   []byte
	jwks     keyfunc.Keyfunc
	methods  []string
	parser   *jwt.Parser
	issuer   string
	audience string
	dev      bool
	log      *slog.Logger
}

// New returns an Authenticator. With a JWKSURL the key set is refreshed in the
// background until ctx is done. A key set that cannot be fetched at start is
// logged, not fatal: the service starts while its identity provider is down,
// and fetches the keys at the next refresh or for the first token naming one.
func New(ctx context.Context, cfg Config) (*Authenticator, error) {
	a := &Authenticator{issuer: cfg.Issuer, audience: cfg.Audience, dev: cfg.Dev, log: cfg.Log}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Secret) > 0 {
		if len(cfg.Secret) < MinSecretBytes {
			return nil, errors.New("auth: the token secret is shorter than 32 bytes")
		}
		a.secret = cfg.Secret
		a.methods = append(a.methods, jwt.SigningMethodHS256.Alg())
	}
	if cfg.JWKSURL != "" {
		jwks, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
			HTTPTimeout: 10 * time.Second,
			RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
				return func(ctx context.Context, err error) {
					a.log.WarnContext(ctx, "fetching the identity provider's keys failed", "url", u, "err", err)
				}
			},
		})
		if err != nil {
			return nil, err
		}
		a.jwks = jwks
		a.methods = append(a.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	if a.methods == nil {
		return nil, errors.New("auth: neither a secret nor a JWKS URL to verify tokens with")
	}
	// Only the algorithms of the configured keys: "none", and an HS256 token
	// signed with a public key of the key set, fail before any key is chosen.
	a.parser = jwt.NewParser(jwt.WithValidMethods(a.methods), jwt.WithLeeway(Leeway),
		jwt.WithIssuedAt(), jwt.WithStrictDecoding())
	return a, nil
}

// claims are what a dangbo token says besides the registered claims. The
// organisations are "orgs", not OAuth's "scope", which identity providers
// fill with a space-separated string of their own scopes.
type claims struct {
	jwt.RegisteredClaims
	Roles []string `json:"roles"`
	Scope []string `json:"orgs,omitempty"`
}

// Verify checks a token and returns whom it names. Every failure is an
// *org.Error with code UNAUTHENTICATED whose message names the fault, never
// the internals; the details go to the debug log.
func (a *Authenticator) Verify(ctx context.Context, token string) (*org.Principal, error) {
	if len(token) > maxTokenBytes {
		return nil, errMalformed
	}
	var c claims
	parsed, err := a.parser.ParseWithClaims(token, &c, a.keyFor(ctx))
	if err != nil {
		a.log.DebugContext(ctx, "token refused", "err", err)
		return nil, a.refusal(parsed, err)
	}
	switch {
	case c.ExpiresAt == nil:
		return nil, errNoExpiry
	case a.issuer != "" && c.Issuer != a.issuer:
		return nil, errIssuer
	case a.audience != "" && !slices.Contains(c.Audience, a.audience):
		return nil, errAudience
	}
	p := &org.Principal{Subject: c.Subject, Scope: c.Scope, Expires: c.ExpiresAt.Time}
	for _, name := range c.Roles {
		role, err := org.ParseAccessRole(name)
		if err != nil {
			return nil, unauthenticated("Token có vai trò không xác định %q (chỉ có viewer, officer, organiser, admin).", name)
		}
		p.Roles = append(p.Roles, role)
	}
	slices.Sort(p.Roles)
	p.Roles = slices.Compact(p.Roles)
	if err := checkPrincipal(p); err != nil {
		return nil, err
	}
	return p, nil
}

// keyFor picks the key by the token's algorithm, which the parser has already
// checked against the configured ones.
func (a *Authenticator) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, hmac := t.Method.(*jwt.SigningMethodHMAC); hmac {
			return a.secret, nil
		}
		return a.jwks.KeyfuncCtx(ctx)(t)
	}
}

// refusal explains why the parser refused a token.
func (a *Authenticator) refusal(t *jwt.Token, err error) *org.Error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errMalformed
	case t == nil || t.Method == nil || !slices.Contains(a.methods, t.Method.Alg()):
		return errAlgorithm
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return errUnknownKey
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return errSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return errExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return errNotYetValid
	}
	return errInvalid
}

// checkPrincipal holds a principal to what a token must say: who, in which
// roles, and where, unless everywhere.
func checkPrincipal(p *org.Principal) *org.Error {
	switch {
	case p.Subject == "":
		return errNoSubject
	case len(p.Roles) == 0:
		return errNoRoles
	case len(p.Scope) == 0 && !p.Everywhere():
		return errNoScope
	case slices.Contains(p.Scope, ""):
		return errEmptyScope
	}
	return nil
}

// Mint signs an HS256 token for p, valid for ttl, with the issuer and
// audience this Authenticator expects, so that it verifies here.
func (a *Authenticator) Mint(p *org.Principal, ttl time.Duration) (string, error) {
	if a.secret == nil {
		return "", errors.New("auth: no secret to sign tokens with")
	}
	if ttl <= 0 {
		return "", errors.New("auth: a token's lifetime must be positive")
	}
	if err := checkPrincipal(p); err != nil {
		return "", err
	}
	now := time.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   p.Subject,
			Issuer:    a.issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Scope: p.Scope,
	}
	if a.audience != "" {
		c.Audience = jwt.ClaimStrings{a.audience}
	}
	for _, r := range p.Roles {
		c.Roles = append(c.Roles, r.String())
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.secret)
}

// DevPrincipal is who calls without a token in dev mode: an admin.
func DevPrincipal() *org.Principal {
	return &org.Principal{Subject: "dev", Roles: []org.AccessRole{org.Admin}}
}

func unauthenticated(format string, args ...any) *org.Error {
	return org.Errorf(org.EUnauthorized, format, args...)
}

// Why a request is not authenticated.
var (
	errNoToken     = unauthenticated("Chưa đăng nhập: hãy gửi token trong tiêu đề Authorization: Bearer <token>.")
	errNotBearer   = unauthenticated("Tiêu đề Authorization phải có dạng \"Bearer <token>\".")
	errMalformed   = unauthenticated("Token không đúng định dạng JWT, hoặc có trường sai kiểu (roles và scope là mảng chuỗi).")
	errAlgorithm   = unauthenticated("Token được ký bằng thuật toán không được chấp nhận.")
	errUnknownKey  = unauthenticated("Không tìm thấy khóa để kiểm tra chữ ký của token.")
	errSignature   = unauthenticated("Chữ ký của token không hợp lệ.")
	errExpired     = unauthenticated("Token đã hết hạn.")
	errNotYetValid = unauthenticated("Token chưa đến thời điểm có hiệu lực.")
	errNoExpiry    = unauthenticated("Token thiếu thời hạn hết hạn (exp).")
	errIssuer      = unauthenticated("Token không do bên phát hành được chấp nhận cấp (iss).")
	errAudience    = unauthenticated("Token không dành cho dịch vụ này (aud).")
	errNoSubject   = unauthenticated("Token thiếu chủ thể (sub).")
	errNoRoles     = unauthenticated("Token thiếu vai trò (roles).")
	errNoScope     = unauthenticated("Token thiếu phạm vi (orgs): vai trò khác admin cần danh sách mã tổ chức.")
	errEmptyScope  = unauthenticated("Phạm vi (orgs) của token có mã tổ chức rỗng.")
	errInvalid     = unauthenticated("Token không hợp lệ.")
)
