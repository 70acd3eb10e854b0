module dangbo

go 1.26.8

tool github.com/99designs/gqlgen

require golang.org/x/text v0.34.0

require (
	github.com/99designs/gqlgen v0.17.88 // indirect
	github.com/agnivade/levenshtein v1.2.1 // indirect
	github.com/goccy/go-yaml v1.19.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/sosodev/duration v1.4.0 // indirect
	github.com/urfave/cli/v3 v3.7.0 // indirect
	github.com/vektah/gqlparser/v2 v2.5.32 // indirect
	golang.org/x/mod v0.33.0 // indirect
	golang.org/x/sync v0.19.0 // indirect
	golang.org/x/tools v0.42.0 // indirect
)
