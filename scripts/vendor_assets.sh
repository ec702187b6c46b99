#!/usr/bin/env bash
# Fetch the front-end assets from the npm registry and copy the built files into static/vendor/.
# Run by hand when upgrading; the result is committed, so nothing is fetched at run time.
set -euo pipefail
KRDS_VERSION=1.1.0
HTMX_VERSION=2.0.11
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "krds-uiux@$KRDS_VERSION" "htmx.org@$HTMX_VERSION" >/dev/null 2>&1
tar xzf "krds-uiux-$KRDS_VERSION.tgz" && mv package krds
tar xzf "htmx.org-$HTMX_VERSION.tgz" && mv package htmx
dest="$here/static/vendor"
rm -rf "$dest/krds" "$dest/htmx"
mkdir -p "$dest/krds/css/component" "$dest/krds/css/token" "$dest/krds/js" "$dest/krds/img/component" "$dest/htmx"
cp krds/resources/css/component/output.css "$dest/krds/css/component/"
cp krds/resources/css/token/krds_tokens.css "$dest/krds/css/token/"
cp -r krds/resources/img/component/icon "$dest/krds/img/component/"
cp -r krds/resources/fonts "$dest/krds/"
cp krds/resources/js/component/ui-script.js "$dest/krds/js/"
cp htmx/dist/htmx.min.js "$dest/htmx/"
cat > "$dest/VERSIONS.md" <<NOTE
# Vendored front-end assets

| package | version | licence | source | files |
|---|---|---|---|---|
| krds-uiux (KRDS, Korea Design System) | $KRDS_VERSION | ISC (package.json); KRDS terms of use | npm \`krds-uiux\` | css/component/output.css, css/token/krds_tokens.css, img/component/icon/, fonts/ (Pretendard GOV, SIL OFL 1.1), js/ui-script.js |
| htmx | $HTMX_VERSION | 0BSD | npm \`htmx.org\` | dist/htmx.min.js |

Regenerate with \`scripts/vendor_assets.sh\`. Nothing is fetched at run time.
NOTE
echo "vendored into $dest"
