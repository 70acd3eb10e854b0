package org

import (
	"context"
	"slices"
	"time"
)

// AccessRole is what a caller may do, given by their token.
type AccessRole uint8

const (
	Viewer    AccessRole = iota // reads the structure and aggregate statistics
	Officer                     // also reads members' personal data and records member operations
	Organiser                   // reads as a viewer, makes structural changes and scenarios
	Admin                       // everything, everywhere: import, export, audit
)

var accessRoles = enumNames[AccessRole]{"vai trò truy cập", []string{"viewer", "officer", "organiser", "admin"}}

func (r AccessRole) String() string                { return accessRoles.String(r) }
func (r AccessRole) MarshalText() ([]byte, error)  { return accessRoles.Marshal(r) }
func (r *AccessRole) UnmarshalText(b []byte) error { return accessRoles.Unmarshal(r, b) }

// ParseAccessRole reads a role by its token name ("viewer", "officer", …).
func ParseAccessRole(s string) (AccessRole, error) { return accessRoles.Parse(s) }

// Permission is one thing a role allows.
type Permission uint8

const (
	ReadStructure  Permission = iota // organisations, members' names and status, statistics
	ReadPersonal                     // birth date, ethnicity, contact details, address
	WriteMembers                     // admissions, residence links, ratings, member transfers
	WriteStructure                   // establishing, merging, moving … organisations; scenarios
	ManageData                       // import, export, audit log
)

// grants lists what each role allows.
var grants = [...][]Permission{
	Viewer:    {ReadStructure},
	Officer:   {ReadStructure, ReadPersonal, WriteMembers},
	Organiser: {ReadStructure, WriteStructure},
	Admin:     {ReadStructure, ReadPersonal, WriteMembers, WriteStructure, ManageData},
}

// Principal is who calls: a subject, their roles and the organisations whose
// subtrees they work in. An admin works everywhere.
type Principal struct {
	Subject string
	Roles   []AccessRole
	// Expires is when the token that names the principal expires; zero for
	// no end (the system, dev mode). A websocket does not outlive it.
	Expires time.Time
	Scope   []string // organisation ids
	Address string   // where the request came from, for the audit log
	// Confined holds even an admin to Scope: inside a scenario everyone
	// works in its subtree only.
	Confined bool
}

// Can reports whether one of the principal's roles allows p.
func (p *Principal) Can(perm Permission) bool {
	for _, r := range p.Roles {
		if int(r) < len(grants) && slices.Contains(grants[r], perm) {
			return true
		}
	}
	return false
}

// Everywhere reports whether the principal's scope is the whole dataset.
func (p *Principal) Everywhere() bool { return !p.Confined && slices.Contains(p.Roles, Admin) }

type principalKey struct{}

// WithPrincipal returns a context carrying who calls.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom is who calls, if the context says.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// ConfinedTo is the principal working in the subtrees of roots only.
func (p *Principal) ConfinedTo(roots []string) *Principal {
	inside := *p
	inside.Scope, inside.Confined = roots, true
	return &inside
}
