package benchmarks

import (
	"context"
	"net/http/httptest"
	"testing"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/graph/model"
	"dangbo/internal/org"
	"dangbo/internal/server"
)

// floorRoot answers the benchmarked queries from static structs made once
// from the real answer, through the same schema, generated code and server
// configuration: the ceiling gqlgen sets, against which the real service is
// measured. Every resolver it does not override is the real one.
type floorRoot struct {
	*graph.Resolver
	org      *model.Org
	children *model.OrgConnection
	hits     *model.SearchConnection
	chart    *model.Chart
}

type floorQuery struct {
	generated.QueryResolver
	f *floorRoot
}

type floorOrg struct {
	generated.OrgResolver
	f *floorRoot
}

func (f *floorRoot) Query() generated.QueryResolver { return floorQuery{f.Resolver.Query(), f} }
func (f *floorRoot) Org() generated.OrgResolver     { return floorOrg{f.Resolver.Org(), f} }

func (q floorQuery) Org(context.Context, string, *org.Date, *string) (*model.Org, error) {
	return q.f.org, nil
}
func (q floorQuery) Search(context.Context, string, *int, *string, []org.SearchType, *string, *org.Date, *string) (*model.SearchConnection, error) {
	return q.f.hits, nil
}
func (q floorQuery) OrgChart(context.Context, string, *int, []org.Kind, *org.Date, *string) (*model.Chart, error) {
	return q.f.chart, nil
}
func (o floorOrg) Children(context.Context, *model.Org, *int, *string, []org.Kind, *org.Date, *string) (*model.OrgConnection, error) {
	return o.f.children, nil
}

// servers starts the real service on the demo and the floor beside it, both
// on loopback, and returns their GraphQL URLs.
func servers(b *testing.B, floor *floorRoot) (floorURL, realURL string) {
	b.Helper()
	store, svc := loadDemo(b)
	real := httptest.NewServer(handler(b, server.Config{Store: store, Service: svc}))
	b.Cleanup(real.Close)
	floor.Resolver = &graph.Resolver{Service: svc}
	fl := httptest.NewServer(handler(b, server.Config{Store: store, Service: svc, Resolvers: floor}))
	b.Cleanup(fl.Close)
	return fl.URL + "/graphql", real.URL + "/graphql"
}
