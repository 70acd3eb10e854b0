package model

import "dangbo/internal/org"

// SearchConnection is a page of search hits; Total counts the search's hits
// when asked, once for both of its fields.
type SearchConnection struct {
	Edges    []*SearchEdge
	Nodes    []SearchResult
	PageInfo *PageInfo
	Total    func() (org.SearchTotal, error)
}

// SearchEdge is one hit of a search, with its cursor.
type SearchEdge struct {
	Cursor string
	Node   SearchResult
	Path   []*Org
	Score  float64
}
