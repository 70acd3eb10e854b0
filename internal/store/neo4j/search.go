package neo4j

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"dangbo/internal/org"
)

// candidates is how many names a search takes from each full-text index:
// enough that Matcher, not Lucene, decides the order of the hits returned,
// and the same for every page of a search and its count, so that they agree.
const candidates = 2 * org.MaxSearchHits

// candidate is a name the full-text index found, scored by Matcher.
type candidate struct {
	id, nameKey string
	cellID      string // for a member: the official cell, where the path ends
	isOrg       bool
	score       float64
}

// Search finds the organisations and members on the date whose names match
// the text, ranked by org.Matcher.
//
// The full-text indexes give the candidates: names in force on the date, in
// the subtree asked for, in which every token of the text occurs inside some
// word, which Matcher requires of every name it accepts. Lucene ranks whole
// words above prefixes above other substrings, and the text as a phrase above
// all, and the best candidates are scored by Matcher. The limitation: when
// more than candidates names match, those Lucene
// ranks lowest are not scored. They match no better in Lucene's terms, but
// within a tier Matcher prefers the names the text covers more completely,
// so among very many equally good matches (a common family name alone) the
// hits may not be exactly the ones Matcher would pick from all of them.
func (s *Store) Search(ctx context.Context, v org.View, q org.SearchQuery) ([]org.Hit, error) {
	m, err := org.NewMatcher(q.Text)
	if err != nil {
		return nil, err
	}
	first := min(cmp.Or(max(q.First, 0), org.DefaultResults), org.MaxSearchHits+1)
	var hits []org.Hit
	err = s.inView(ctx, v, func(vw view) error {
		for _, id := range q.Within {
			if ok, err := vw.exists(ctx, id); err != nil || !ok {
				return cmp.Or(err, orgNotFound(id))
			}
		}
		found, err := vw.candidates(ctx, m, &q, candidates)
		if err != nil {
			return err
		}
		slices.SortFunc(found, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.nameKey, b.nameKey), cmp.Compare(a.id, b.id))
		})
		hits, err = vw.hits(ctx, found[:min(len(found), first)])
		return err
	})
	return hits, err
}

// candidates runs the full-text searches q asks for and keeps what Matcher accepts.
func (vw view) candidates(ctx context.Context, m *org.Matcher, q *org.SearchQuery, limit int) ([]candidate, error) {
	var within any
	if len(q.Within) > 0 {
		within = q.Within
	}
	params := map[string]any{"query": luceneQuery(m.Tokens()), "at": dateParam(vw.at), "within": within, "limit": int64(limit)}
	var found []candidate
	for _, search := range []struct {
		statement string
		t         org.SearchType
	}{{"search_orgs", org.SearchOrgs}, {"search_members", org.SearchMembers}} {
		if !q.Wants(search.t) {
			continue
		}
		recs, err := run(ctx, vw.q, search.statement, params)
		if err != nil {
			return nil, err
		}
		var d decoder
		for _, rec := range recs {
			r := rec.AsMap()
			c := candidate{id: d.str(r, "id"), nameKey: d.str(r, "nameKey"), cellID: d.str(r, "cellId"), isOrg: search.t == org.SearchOrgs}
			var ok bool
			if c.score, ok = m.Score(c.nameKey, c.isOrg); ok {
				found = append(found, c)
			}
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	return found, nil
}

// hits reads the organisations and members found, with their paths.
func (vw view) hits(ctx context.Context, found []candidate) ([]org.Hit, error) {
	var ends, memberIDs []string
	for _, c := range found {
		if c.isOrg {
			ends = append(ends, c.id)
		} else {
			ends, memberIDs = append(ends, c.cellID), append(memberIDs, c.id)
		}
	}
	paths, err := vw.paths(ctx, ends)
	if err != nil {
		return nil, err
	}
	var onPaths []string
	for _, p := range paths {
		onPaths = append(onPaths, p...)
	}
	orgs, err := vw.orgs(ctx, onPaths)
	if err != nil {
		return nil, err
	}
	members, err := vw.members(ctx, memberIDs)
	if err != nil {
		return nil, err
	}
	hits := make([]org.Hit, len(found))
	for i, c := range found {
		hit := &hits[i]
		hit.Score = c.score
		end := c.cellID
		if c.isOrg {
			end = c.id
			o := orgs[c.id]
			hit.Org = &o
		} else {
			m := members[c.id]
			hit.Member = &m
		}
		if hit.Path, err = pathOf(paths[end], orgs); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// luceneQuery is the full-text query for the folded tokens of a search text:
// every token must occur in a word of the name, and counts most as the whole
// word, then as its start, then anywhere inside it; the tokens as a phrase
// count more still.
func luceneQuery(tokens []string) string {
	clauses := make([]string, 0, len(tokens)+1)
	escaped := make([]string, len(tokens))
	for i, t := range tokens {
		e := luceneEscape(t)
		escaped[i] = e
		clauses = append(clauses, "+("+e+"^4 "+e+"*^2 *"+e+"*)")
	}
	if len(tokens) > 1 {
		clauses = append(clauses, `"`+strings.Join(escaped, " ")+`"^8`)
	}
	return strings.Join(clauses, " ")
}

// luceneEscape escapes the characters Lucene's query syntax gives a meaning.
// Folded tokens hold only letters and digits, so this guards against a change
// of org.Fold rather than against user input.
func luceneEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\+-!():^[]"{}~*?|&/ `, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
