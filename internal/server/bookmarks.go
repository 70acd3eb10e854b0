package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

// bookmarkHeader brings back the bookmark of an earlier answer: the request
// then sees the writes that answer made, whichever instance it reaches.
const bookmarkHeader = "Dangbo-Bookmark"

// withBookmarks gives each request its bookmarks (org.Bookmarks), those of
// the writes it must see taken from bookmarkHeader.
func withBookmarks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var after []string
		if h := r.Header.Get(bookmarkHeader); h != "" {
			var err error
			if after, err = decodeBookmark(h); err != nil {
				auth.WriteError(w, http.StatusBadRequest, org.Errorf(org.EInvalid, "tiêu đề %s không hợp lệ: hãy gửi lại đúng giá trị extensions.bookmark của câu trả lời trước", bookmarkHeader))
				return
			}
		}
		ctx, _ := org.WithBookmarks(r.Context(), after)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// encodeBookmark is the text of a bookmark: the store's bookmarks as base64url JSON.
func encodeBookmark(bookmarks []string) string {
	b, _ := json.Marshal(bookmarks) // a list of strings always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeBookmark(s string) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var bookmarks []string
	return bookmarks, json.Unmarshal(b, &bookmarks)
}

// bookmarkNote is the gqlgen extension that answers a request whose writes
// left bookmarks with extensions.bookmark, for the client's next request.
type bookmarkNote struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = bookmarkNote{}

func (bookmarkNote) ExtensionName() string                   { return "Bookmark" }
func (bookmarkNote) Validate(graphql.ExecutableSchema) error { return nil }

func (bookmarkNote) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	b := org.BookmarksFrom(ctx)
	if resp == nil || b == nil {
		return resp
	}
	if wrote := b.Wrote(); len(wrote) > 0 {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["bookmark"] = encodeBookmark(wrote)
	}
	return resp
}
