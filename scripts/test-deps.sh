#!/usr/bin/env bash
# Installs what the tests need beyond Go: Debian's chromium for the browser
# tests, and the pinned npm packages of the Cypher lint and of the playground
# build (whose output a test compares with the committed assets).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "test-deps: chromium is missing; install Debian's chromium package (apt-get install chromium)" >&2
		exit 1
	fi
	echo "test-deps: installing chromium from Debian"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

for dir in tools/cypherlint web/graphiql; do
	# npm ci is skipped when node_modules was installed from this very lock file.
	stamp="$dir/node_modules/.installed-from-lock"
	if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
		echo "test-deps: npm ci in $dir"
		npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
		cp "$dir/package-lock.json" "$stamp"
	fi
done
