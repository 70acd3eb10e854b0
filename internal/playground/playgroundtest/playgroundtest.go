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
	docTitle       = ".graphiql-doc-explorer-title"
	docTypeLink    = ".graphiql-doc-explorer a.graphiql-doc-explorer-type-name"
	docFieldLink   = ".graphiql-doc-explorer a.graphiql-doc-explorer-field-name"
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

// ShowDocs opens the playground at pageURL and its docs explorer (the manual
// analysts read), goes from the query root to typeName (a type the query root
// names) and waits until its page shows each of typeDocs; then it opens
// field's page and waits until it shows each of fieldDocs (its arguments'
// descriptions). It checks that the page tried to reach no other host and
// logged no errors.
func ShowDocs(t testing.TB, b *browsertest.Browser, pageURL, typeName string, typeDocs []string, field string, fieldDocs []string) {
	t.Helper()
	b.Navigate(pageURL)
	b.WaitVisible(docsButton)
	b.Click(docsButton)
	b.WaitText(docExplorer, schemaIsLoaded)
	b.ClickText(docTypeLink, "Query")
	b.WaitText(docTitle, "Query")
	b.ClickText(docTypeLink, typeName)
	b.WaitText(docTitle, typeName)
	for _, want := range typeDocs {
		b.WaitText(docExplorer, want)
	}
	if err := browsertest.NonBlank(b.Screenshot("docs-" + typeName)); err != nil {
		t.Error(err)
	}
	b.ClickText(docFieldLink, field)
	b.WaitText(docTitle, field)
	for _, want := range fieldDocs {
		b.WaitText(docExplorer, want)
	}
	b.AssertNoExternalRequests()
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the playground logged errors: %q", errs)
	}
}
