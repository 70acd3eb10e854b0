// Package playgroundtest checks the GraphiQL playground in headless Chromium,
// both in the playground's own test and in tests of servers that mount it.
package playgroundtest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"dangbo/internal/browsertest"
)

// Parts of GraphiQL's page (graphiql 5). GraphiQL does not promise stable
// class names, so an upgrade may need new ones here.
const (
	queryEditor    = ".graphiql-query-editor"
	runButton      = ".graphiql-execute-button"
	resultPane     = ".graphiql-response"
	tabButton      = `[id^="graphiql-session-tab-"]`
	headersButton  = `.graphiql-editor-tools button[data-name="headers"]`
	headersEditor  = ".graphiql-editor-tool .graphiql-editor:not(.hidden)"
	headersInput   = headersEditor + " textarea"
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
	assertClean(t, b)
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
	assertClean(t, b)
}

// StartSubscription opens the playground at pageURL, opens the tab titled tab
// (its operation's name), types headers (JSON) into the Headers editor unless
// empty, and runs the tab's operation, a subscription that keeps running.
func StartSubscription(t testing.TB, b *browsertest.Browser, pageURL, tab, headers string) {
	t.Helper()
	b.Navigate(pageURL)
	b.WaitVisible(runButton)
	// A tab opened before the editor shows the first one keeps its text.
	b.WaitText(queryEditor, "{")
	b.ClickText(tabButton, tab)
	b.WaitText(queryEditor, "subscription "+tab)
	if headers != "" {
		b.Click(headersButton)
		b.Type(headersInput, headers)
		b.WaitText(headersEditor, headers)
	}
	b.Click(runButton)
}

// AwaitChange calls record, which records a change through the API, until the
// result pane shows want: the page cannot tell when the server has the
// subscription, and a change recorded before it does never arrives. Then it
// checks that the page tried to reach no other host and logged no errors.
func AwaitChange(t testing.TB, b *browsertest.Browser, want string, record func()) {
	t.Helper()
	deadline := time.Now().Add(b.Timeout)
	for !b.Shows(resultPane, want) {
		if time.Now().After(deadline) {
			t.Fatalf("the result pane shows %q, not %q", b.Text(resultPane), want)
		}
		record()
		for range 20 {
			if b.Shows(resultPane, want) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	assertClean(t, b)
}

// AwaitRefusal waits until the result pane shows each of want, the answer to
// headers the server refused, then checks that the page tried to reach no
// other host and logged no errors but Chromium's own line for the 401 that
// answered those headers over HTTP.
func AwaitRefusal(t testing.TB, b *browsertest.Browser, want ...string) {
	t.Helper()
	for _, w := range want {
		b.WaitText(resultPane, w)
	}
	assertClean(t, b, "the server responded with a status of 401")
}

// assertClean checks that the page tried to reach no other host and logged no
// errors, but those containing one of expected.
func assertClean(t testing.TB, b *browsertest.Browser, expected ...string) {
	t.Helper()
	b.AssertNoExternalRequests()
	errs := slices.DeleteFunc(b.ConsoleErrors(), func(e string) bool {
		return slices.ContainsFunc(expected, func(x string) bool { return strings.Contains(e, x) })
	})
	if len(errs) > 0 {
		t.Errorf("the playground logged errors: %q", errs)
	}
}
