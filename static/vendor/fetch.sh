#!/usr/bin/env bash
# Re-fetch the vendored front-end assets from the npm registry at the pinned versions.
# The halls have no internet, so the app serves these files itself; this script only
# reproduces them. Run from anywhere: bash static/vendor/fetch.sh
set -euo pipefail

HTMX_VERSION=2.0.11          # latest 2.0.x (npm "latest" is 4.x, a different API)
HTMX_EXT_SSE_VERSION=2.2.4   # needs htmx.org ^2.0.2
VIS_NETWORK_VERSION=9.1.2    # the version pyvis 0.3.2 templates are written for

VENDOR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

unpack() {  # unpack NAME VERSION -> $WORK/NAME/package
    (cd "$WORK" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$WORK/$1"
    tar -xzf "$WORK/$1-$2.tgz" -C "$WORK/$1"
}

# Copy a script or style without its sourceMappingURL line: the .map files are not vendored,
# and a browser with devtools open would otherwise ask for them.
copy_stripped() {
    sed -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1" > "$2"
}

unpack htmx.org "$HTMX_VERSION"
mkdir -p "$VENDOR/htmx"
copy_stripped "$WORK/htmx.org/package/dist/htmx.min.js" "$VENDOR/htmx/htmx.min.js"
cp "$WORK/htmx.org/package/LICENSE" "$VENDOR/htmx/LICENSE"

unpack htmx-ext-sse "$HTMX_EXT_SSE_VERSION"
mkdir -p "$VENDOR/htmx-ext-sse"
copy_stripped "$WORK/htmx-ext-sse/package/dist/sse.js" "$VENDOR/htmx-ext-sse/sse.js"
cp "$WORK/htmx-ext-sse/package/LICENSE" "$VENDOR/htmx-ext-sse/LICENSE"

unpack vis-network "$VIS_NETWORK_VERSION"
mkdir -p "$VENDOR/vis-network"
# The standalone UMD build bundles vis-data and its other dependencies (window.vis).
copy_stripped "$WORK/vis-network/package/standalone/umd/vis-network.min.js" \
    "$VENDOR/vis-network/vis-network.min.js"
copy_stripped "$WORK/vis-network/package/styles/vis-network.min.css" \
    "$VENDOR/vis-network/vis-network.min.css"
cp "$WORK/vis-network/package/LICENSE-MIT" "$WORK/vis-network/package/LICENSE-APACHE-2.0" \
    "$VENDOR/vis-network/"

cd "$VENDOR"
sha256sum htmx/htmx.min.js htmx-ext-sse/sse.js vis-network/vis-network.min.js \
    vis-network/vis-network.min.css
