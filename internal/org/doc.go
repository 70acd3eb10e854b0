// Package org is the domain of dangbo: the organisations of a provincial party
// organisation, their members, and the rules of the Party Charter that every
// change must respect.
//
// Everything that holds over a period (an organisation's name and place in the
// tree, a member's cell, a residence link, a role) is stored as a fact valid on
// the half-open interval [Since, Until) of civil dates, so that any read can be
// answered as of a date. The package knows nothing of GraphQL or of any
// database: stores implement Store, and the GraphQL layer calls Service.
package org
