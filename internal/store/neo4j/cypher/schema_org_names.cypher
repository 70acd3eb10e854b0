// params:
// Full-text index over the names of every version, so that a search as of a
// date finds the name in force then. nameKey is already folded by org.Fold
// (lower case, no diacritics, đ as d), the key Matcher ranks by; the analyzer
// must not drop stop words: standard-folding drops English ones, among them
// Vietnamese syllables such as "an", "to" and "the".
CREATE FULLTEXT INDEX org_names IF NOT EXISTS
FOR (v:OrgVersion) ON EACH [v.nameKey]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}
