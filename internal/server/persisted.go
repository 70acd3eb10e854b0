package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"dangbo/internal/org"
)

// Persisted queries (Apollo's automatic persisted queries): a client may send
// the SHA-256 of a query it sent before instead of its text. With an
// allow-list, only the listed queries run at all, by hash or by text, which is
// how a production deployment can refuse anything its own clients do not send.

// LoadAllowList reads an allow-list file: a JSON object from the hex SHA-256
// of each query to its text. Every hash is checked against its query.
func LoadAllowList(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list map[string]string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for hash, query := range list {
		if queryHash(query) != hash {
			return nil, fmt.Errorf("%s: %s is not the SHA-256 of its query", path, hash)
		}
	}
	return list, nil
}

func queryHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// persistedQueries is gqlgen's automatic persisted queries with its errors
// made the client's: a hash that does not match its query, or malformed APQ
// data, come from gqlgen without a code and would be shown as INTERNAL.
type persistedQueries struct {
	extension.AutomaticPersistedQuery
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	err := p.AutomaticPersistedQuery.MutateOperationParameters(ctx, raw)
	if err == nil || err.Extensions["code"] != nil { // PERSISTED_QUERY_NOT_FOUND asks the client for the text
		return err
	}
	err.Message = "Mã băm của truy vấn lưu sẵn (persistedQuery) không khớp với truy vấn hoặc không hợp lệ."
	err.Extensions = map[string]any{"code": org.EInvalid}
	return err
}

// allowListCache serves the allow-list to gqlgen's persisted-query
// extension and learns nothing new.
type allowListCache map[string]string

func (c allowListCache) Get(_ context.Context, hash string) (string, bool) {
	q, ok := c[hash]
	return q, ok
}

func (allowListCache) Add(context.Context, string, string) {}

// allowList refuses every operation whose query is not on the list.
type allowList map[string]string

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = allowList{}

func (allowList) ExtensionName() string                   { return "PersistedQueryAllowList" }
func (allowList) Validate(graphql.ExecutableSchema) error { return nil }

func (l allowList) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, ok := l[queryHash(p.Query)]; ok {
		return nil
	}
	err := gqlerror.Errorf("máy chủ chỉ chạy các truy vấn đã đăng ký trước")
	err.Extensions = map[string]any{"code": codeQueryNotAllowed}
	return err
}
