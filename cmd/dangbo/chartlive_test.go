package main

import (
	"testing"

	"dangbo/internal/browsertest"
	"dangbo/internal/org"
)

// checkLiveRefresh: the viewer follows the changes of the province it shows
// (a subscription over server-sent events): an organisation renamed through
// the API is redrawn with its new name, and what was expanded stays so.
func checkLiveRefresh(t *testing.T, b *browsertest.Browser, s *service, district viewerNode, children []viewerNode) {
	t.Helper()
	waitForJS(b, "the viewer following the changes", `() => document.documentElement.dataset.live === 'following'`)
	renamed := children[0]
	name := renamed.Name + " (tên mới)"
	var r struct{ RenameOrg struct{ Seq int } }
	s.query(&r, `mutation($id: ID!, $name: String!, $issuer: ID!, $date: Date!) {
		renameOrg(id: $id, name: $name, decision: {number: "99-QĐ/TU", date: $date, issuerId: $issuer}) { seq } }`,
		map[string]any{"id": renamed.ID, "name": name, "issuer": district.ID, "date": org.Today().String()})
	waitForJS(b, "the renamed card redrawn",
		`(id, name) => document.querySelector('.org-card[data-org-id="' + id + '"]')?.textContent.includes(name)`, renamed.ID, name)
	waitForJS(b, "the district's children still shown", cardsDrawn, nodeIDs(children))
}
