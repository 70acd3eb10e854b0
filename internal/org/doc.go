// Package org is the domain of dangbo: the organisations of a provincial party
// organisation, their members, and the rules of the Party Charter that every
// change must respect.
//
// Everything that holds over a period (an organisation's name and place in the
// tree, a member's cell, a residence link, a role) is stored as a fact valid on
// the half-open interval [Since, Until) of civil dates, so that any read can be
// answered as of a date. The package knows nothing of GraphQL or of any
// database: stores implement Store, and the GraphQL layer calls Service.
//
// Where things are:
//   - records and dates: date.go, org.go, member.go, kinds.go, enum.go, text.go
//     (names, folding), versions.go (dated facts), history.go (changes);
//   - reads: chart.go, extent.go, search.go, breakdown.go (internal/tree
//     holds the read model the stores share: the structure on one date,
//     linked and counted);
//   - the ports: store.go (Store, Tx, Reader), errors.go, cursor.go;
//   - who may do what: access.go (roles, permissions), scope.go (the one
//     path every read passes through: scope and masking), audit.go;
//   - operations and the Charter's rules: operation.go (operate: the frame
//     every operation runs in), entry.go (data entry), restructure.go,
//     memberops.go, rules.go, memberrules.go, violations.go, later.go
//     (later-dated changes stay true);
//   - scenarios: scenario.go (the stored form: scenarios, their operations,
//     their diff), scenarioscope.go (reading them through the scope), the
//     Scenarios port and Simulation (service.go) through which
//     internal/scenario replays them on a copy of the Service.
//
// Drafting, replaying, comparing and applying scenarios is internal/scenario;
// the import pipeline is internal/dataset; transport-only error codes live in
// internal/server.
package org
