# dangbo — see README.md. The two commands a newcomer needs:
#   go run ./cmd/dangbo --dev   the service with demo data and playground, no token needed
#   make test                   every test
.PHONY: test deps run generate assets bench lint-cypher lint-schema

# Every test, the way CI runs them: the race detector on, and the tests that
# need Node (Cypher and schema lints, playground assets) or Chromium fail instead of skipping.
test: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:" $$unformatted; exit 1; fi
	go vet ./...
	go tool staticcheck ./...
	DANGBO_REQUIRE_TOOLS=1 DANGBO_REQUIRE_BROWSER=1 go test -race -count=1 -timeout 40m ./...

deps:
	./scripts/test-deps.sh

run:
	go run ./cmd/dangbo --dev

# Regenerate the GraphQL code after changing schema/*.graphqls.
generate:
	go tool gqlgen generate

# Rebuild the playground's and the chart viewer's assets from the pinned npm packages.
assets:
	npm ci --prefix web/graphiql --no-audit --no-fund
	node web/graphiql/build.mjs
	npm ci --prefix web/chart --no-audit --no-fund
	node web/chart/build.mjs

# The benchmarks of BENCHMARKS.md.
bench:
	go test -run '^$$' -bench . -benchtime 20x ./internal/benchmarks/ ./internal/dataset/

lint-cypher: deps
	DANGBO_REQUIRE_TOOLS=1 go test -count=1 -v -run 'TestCypherLint|TestNoCypherInGo' ./internal/store/neo4j

# The schema's descriptions and Relay shapes (graphql-schema-linter; rules in
# tools/schemalint/package.json).
lint-schema: deps
	DANGBO_REQUIRE_TOOLS=1 go test -count=1 -v -run 'TestSchemaLint' ./graph
