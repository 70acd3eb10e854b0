package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// authFlags say how tokens are checked; serve verifies with them and token
// signs with them, so that what one mints the other accepts.
type authFlags struct {
	secret   string
	issuer   string
	audience string
}

func (f *authFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.issuer, "jwt-issuer", "", "the iss every token must carry; empty for any")
	fs.StringVar(&f.audience, "jwt-audience", "", "an aud every token must carry; empty for any")
	f.secret = os.Getenv("DANGBO_JWT_SECRET") // a secret: see secretVars
}

func (f *authFlags) config() auth.Config {
	return auth.Config{Secret: []byte(f.secret), Issuer: f.issuer, Audience: f.audience}
}

// mintToken is the token command: it prints a token signed with
// DANGBO_JWT_SECRET for the given roles, scope and subject.
func mintToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token", "usage: dangbo token --role R [--role R2] [--org ORGID …] --subject S [--ttl 8h]", stderr)
	var af authFlags
	af.register(fs)
	var p org.Principal
	fs.Func("role", "viewer, officer, organiser or admin; repeat for several", func(name string) error {
		role, err := org.ParseAccessRole(name)
		if err != nil {
			return err
		}
		p.Roles = append(p.Roles, role)
		return nil
	})
	fs.Func("org", "id of an organisation whose subtree the token covers (claim orgs); repeat for several; not needed for admin", func(id string) error {
		p.Scope = append(p.Scope, id)
		return nil
	})
	fs.StringVar(&p.Subject, "subject", "", "whom the token is for (its sub claim), e.g. a user name")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token: unexpected arguments %q\n%s", fs.Args(), usage)
	}
	if af.secret == "" {
		return errors.New("token: DANGBO_JWT_SECRET is not set; tokens are signed with the secret the service verifies them with")
	}
	a, err := auth.New(ctx, af.config())
	if err != nil {
		return err
	}
	token, err := a.Mint(&p, *ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// warnDev says loudly, on several lines so that no one misses it, what dev
// mode gives away.
func warnDev(log *slog.Logger, addr string, generatedSecret bool) {
	log.Warn("DEV MODE: requests without a token run as an admin who may read and change everything")
	log.Warn("DEV MODE: anyone who can reach the service has that power", "addr", addr)
	log.Warn("DEV MODE: for trying dangbo on your own machine; never with real members' data")
	if generatedSecret {
		log.Warn("DEV MODE: tokens are signed with a random secret of this run; set DANGBO_JWT_SECRET to keep them valid across restarts")
	}
}

// randomSecret is a secret for one run of dev mode.
func randomSecret() string {
	b := make([]byte, auth.MinSecretBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return string(b)
}

// devTokenTTL is how long the ready-made tokens of dev mode are valid.
const devTokenTTL = 24 * time.Hour

// devRoles are the ready-made tokens of dev mode: a role and the demo
// organisation whose subtree it covers; the admin needs none.
var devRoles = []struct {
	role  org.AccessRole
	scope string // the organisation's name
}{
	{org.Viewer, "Đảng bộ tỉnh Quảng Ninh"},
	{org.Officer, "Đảng bộ Khối các cơ quan tỉnh Quảng Ninh"},
	{org.Organiser, "Đảng bộ xã Tam Hồng"},
	{org.Admin, ""},
}

// printDevTokens writes a token for each of devRoles, as a shell variable and
// a curl command that uses it, so that the block can be pasted into a shell.
// A role whose organisation the store lacks (another dataset) is left out.
func printDevTokens(ctx context.Context, w io.Writer, a *auth.Authenticator, store org.Reader, v org.View, url string) error {
	fmt.Fprintf(w, "\nDev mode: requests without a token run as admin. Tokens for each demo role (valid %g hours):\n", devTokenTTL.Hours())
	for _, dr := range devRoles {
		p := &org.Principal{Subject: "dev-" + dr.role.String(), Roles: []org.AccessRole{dr.role}}
		query := `{ roots { name memberCount } }`
		if dr.scope != "" {
			id, err := orgNamed(ctx, store, v, dr.scope)
			if err != nil || id == "" {
				fmt.Fprintf(w, "\n# %s: no %q in this store, no token\n", dr.role, dr.scope)
				continue
			}
			p.Scope = []string{id}
			query = fmt.Sprintf(`{ org(id: \"%s\") { name memberCount } }`, id)
		}
		token, err := a.Mint(p, devTokenTTL)
		if err != nil {
			return err
		}
		variable := strings.ToUpper(dr.role.String())
		fmt.Fprintf(w, "\n# %s%s\n%s=%s\ncurl -s %s/graphql -H \"Authorization: Bearer $%s\" -H 'Content-Type: application/json' -d '{\"query\":\"%s\"}'\n",
			dr.role, inScope(dr.scope), variable, token, url, variable, query)
	}
	fmt.Fprintf(w, "\nIn the playground (%s/), paste {\"Authorization\": \"Bearer …\"} into the Headers tab to act as one of these roles.\n\n", url)
	return nil
}

func inScope(name string) string {
	if name == "" {
		return ", everywhere"
	}
	return " in " + name
}

// orgNamed is the id of the organisation with exactly this name, found by
// searching for it; empty when there is none.
func orgNamed(ctx context.Context, store org.Reader, v org.View, name string) (string, error) {
	hits, err := store.Search(ctx, v, org.SearchQuery{Text: name, First: 5, Types: []org.SearchType{org.SearchOrgs}})
	for _, h := range hits {
		if h.Org != nil && h.Org.Name == name {
			return h.Org.ID, nil
		}
	}
	return "", err
}
