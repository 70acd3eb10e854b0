#!/usr/bin/env bash
# Installs what the tests need beyond Go: Debian's chromium for the browser
# tests, and the pinned npm packages of the Cypher lint, of the schema lint and
# of the page builds (playground, chart viewer), whose output tests compare with
# the committed assets.
set -euo pipefail
cd "$(dirname "$0")/.."

# Any Chromium the browser tests can drive will do (internal/browsertest looks
# for these; DANGBO_CHROMIUM names another).
if [ -z "${DANGBO_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 &&
	! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; }; then
		echo "test-deps: no Chromium found; install Debian's chromium package, or set DANGBO_CHROMIUM" >&2
		exit 1
	fi
	echo "test-deps: installing chromium from Debian"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

for dir in tools/cypherlint tools/schemalint web/graphiql web/chart; do
	# npm ci is skipped when node_modules was installed from this very lock file.
	stamp="$dir/node_modules/.installed-from-lock"
	if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
		echo "test-deps: npm ci in $dir"
		npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
		cp "$dir/package-lock.json" "$stamp"
	fi
done
