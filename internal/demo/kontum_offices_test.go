package demo

import (
	"testing"

	"dangbo/internal/org"
)

// TestKonTumOffices: on the history's last day, for every seed, 588 of the
// 756 villages are headed by a member, 280 of them by the cell's secretary,
// and 2,203 of the 2,276 cells have held thematic meetings that year.
func TestKonTumOffices(t *testing.T) {
	for _, d := range []*Dataset{demoData(), otherData()} {
		c, _ := konTumCensus(d, konTumEnd)
		headed, bySecretary := map[string]bool{}, 0
		for i := range c.Members {
			m := &c.Members[i]
			for _, r := range m.Roles {
				if r.Role != org.VillageHead || !r.Holds(konTumEnd) {
					continue
				}
				if o, ok := c.tree.Get(r.OrgID); !ok || !o.Sector.IsResidential() || headed[r.OrgID] {
					t.Fatalf("member %s heads %s, no village or headed twice", m.ID, r.OrgID)
				}
				headed[r.OrgID] = true
				for _, s := range m.Roles {
					if s.Role == org.Secretary && s.OrgID == r.OrgID && s.Holds(konTumEnd) {
						bySecretary++
					}
				}
			}
		}
		met := 0
		for i := range c.Orgs {
			for _, y := range c.Orgs[i].Meetings {
				if o, ok := c.tree.Get(c.Orgs[i].ID); ok && o.Kind == org.Cell && y.Year == 2021 && y.Count > 0 {
					met++
				}
			}
		}
		if len(headed) != 588 || bySecretary != 280 || met != 2203 {
			t.Errorf("%d villages headed by a member, %d by the secretary; %d cells met; want 588, 280, 2,203", len(headed), bySecretary, met)
		}
	}
}
