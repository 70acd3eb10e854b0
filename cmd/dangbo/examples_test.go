package main

import (
	"context"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"dangbo/graph"
	"dangbo/graph/generated"
	"dangbo/internal/org"
	"dangbo/internal/store/memory"
)

// TestExamplesValidate: every playground tab, those naming organisations of
// the data included, is a valid document of the schema.
func TestExamplesValidate(t *testing.T) {
	s, err := memory.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc := org.NewService(s, nil)
	ctx := org.WithPrincipal(context.Background(), org.System)
	for _, name := range []string{"Đảng bộ tỉnh Kon Tum", "Đảng bộ tỉnh Quảng Ninh"} {
		if _, err := svc.CreateOrg(ctx, org.NewOrg{Name: name, Kind: org.Province}); err != nil {
			t.Fatal(err)
		}
	}
	province, err := svc.CreateOrg(ctx, org.NewOrg{Name: "Đảng bộ tỉnh Vĩnh Phúc", Kind: org.Province})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrg(ctx, org.NewOrg{ParentID: province.ID, Name: "Đảng bộ xã Tam Hồng", Kind: org.GrassrootsCommittee}); err != nil {
		t.Fatal(err)
	}
	all := append(examples, dataExamples(ctx, svc)...)
	if len(all) != len(examples)+3 {
		t.Fatalf("%d tabs naming the data, want 3", len(all)-len(examples))
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives}).Schema()
	for _, e := range all {
		if _, errs := gqlparser.LoadQuery(schema, e.Query); len(errs) > 0 {
			t.Errorf("%s: %v", e.Name, errs)
		}
	}
}
