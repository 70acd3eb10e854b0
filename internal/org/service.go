package org

import (
	"crypto/rand"
	"encoding/base32"
	"io"
	"strings"
)

// Service is what the API calls: the store's reads, and the operations that
// change the structure, each validated against the Charter's rules before
// anything is written.
type Service struct {
	Reader
	store Store
	today func() Date
}

// NewService returns a service over store; today tells the date writes take
// effect on (Today when nil).
func NewService(store Store, today func() Date) *Service {
	if today == nil {
		today = Today
	}
	return &Service{Reader: store, store: store, today: today}
}

// Today is the date the service considers current.
func (s *Service) Today() Date { return s.today() }

// Now is the view of the structure as it stands today.
func (s *Service) Now() View { return View{At: s.today()} }

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a fresh random id with the given one-letter prefix ("o" for an
// organisation, "m" for a member), so that an id says what it names.
func NewID(prefix string) string { return NewIDFrom(prefix, rand.Reader) }

// NewIDFrom is NewID with its random bits read from random: a seeded source
// gives the same ids every time, as the demo data needs.
func NewIDFrom(prefix string, random io.Reader) string {
	var b [10]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		panic("org: reading random bits for an id: " + err.Error()) // crypto/rand never fails
	}
	return prefix + idEncoding.EncodeToString(b[:])
}

// NewPageQuery checks a page request from a client: first defaults to
// DefaultPageSize and may not exceed MaxPageSize.
func NewPageQuery(first *int, after *string) (PageQuery, error) {
	q := PageQuery{First: DefaultPageSize}
	if first != nil {
		if *first < 0 || *first > MaxPageSize {
			return q, Errorf(EInvalid, "first phải từ 0 đến %d, nhận %d", MaxPageSize, *first)
		}
		q.First = *first
	}
	if after != nil {
		q.After = *after // the list that reads it checks it
	}
	return q, nil
}

// cleanText trims an optional free-text field and bounds its length.
func cleanText(what, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return CleanName(what, s)
}
