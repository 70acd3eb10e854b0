// Package playgroundtest checks the GraphiQL playground in headless Chromium,
// both in the playground's own test and in tests of servers that mount it.
package playgroundtest

import (
	"testing"

	"dangbo/internal/browsertest"
)

// Parts of GraphiQL's page (graphiql 5). GraphiQL does not promise stable
// class names, so an upgrade may need new ones here.
const (
	queryEditor    = ".graphiql-query-editor"
	runButton      = ".graphiql-execute-button"
	resultPane     = ".graphiql-response"
	docsButton     = `.graphiql-sidebar button[aria-label="Show Documentation Explorer"]`
	docExplorer    = ".graphiql-doc-explorer"
	schemaIsLoaded = "Root Types"
	screenshotName = "playground"
)

// RunFirstExample opens the playground at pageURL, waits for the first
// example's tab (exampleName heads its query) and for the schema in the docs
// explorer, runs the query, and waits until the result pane shows want. Then
// it checks that a screenshot (saved as playground.png) shows real content,
// that the page tried to reach no other host, and that it logged no errors.
func RunFirstExample(t testing.TB, b *browsertest.Browser, pageURL, exampleName, want string) {
	t.Helper()
	b.Navigate(pageURL)
	b.WaitVisible(runButton)
	b.WaitText(queryEditor, exampleName)
	b.Click(docsButton)
	b.WaitText(docExplorer, schemaIsLoaded)
	b.Click(runButton)
	b.WaitText(resultPane, want)

	if err := browsertest.NonBlank(b.Screenshot(screenshotName)); err != nil {
		t.Error(err)
	}
	b.AssertNoExternalRequests()
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the playground logged errors: %q", errs)
	}
}
