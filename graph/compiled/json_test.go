package compiled

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// FuzzAppendString: strings are written exactly as gqlgen writes them,
// whatever their bytes.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "Chi bộ thôn Đồng Tâm", "a\"b\\c", "\x00\x1f\t\r\n\x7f", "\xc3\x22\xff", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		if got := appendString(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%q: got %s, gqlgen writes %s", s, got, want.Bytes())
		}
	})
}
