#!/usr/bin/env bash
# Prints the absolute path of a pinned Terraform or OpenTofu CLI in
# .tools/bin, building it from source first if it is missing (messages go to
# stderr, only the path to stdout):
#   scripts/cli-path.sh terraform-1.5.7   go install github.com/hashicorp/terraform@v1.5.7
#   scripts/cli-path.sh tofu-1.10.7       github.com/opentofu/opentofu/cmd/tofu, built
#                                         through a generated wrapper module
# The first build of each takes minutes (about 7 for Terraform and 12 for
# OpenTofu on two cores with empty Go caches), a rebuild from a warm build
# cache seconds. Only the Go module proxy is used, and only the Go toolchain
# at hand (GOTOOLCHAIN=local).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: $0 terraform-X.Y.Z | tofu-X.Y.Z (e.g. terraform-1.5.7, tofu-1.10.7)"
name=${1:?$usage}
case "$name" in
  terraform-[0-9]*.[0-9]*.[0-9]* | tofu-[0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
version=${name#*-}
bin="$root/.tools/bin/$name"
if [ -x "$bin" ]; then
  echo "$bin"; exit 0
fi
export GOTOOLCHAIN=local
mkdir -p "$root/.tools/bin"
work=$(mktemp -d "${TMPDIR:-/tmp}/cli-path.XXXXXX")
trap 'rm -rf "$work" "$bin.partial.$$"' EXIT
# Outside any module, so that neither step touches the project's go.mod.
cd "$work"

case "$name" in
  terraform-*)
    echo "Building Terraform v$version into .tools/bin/$name (several minutes the first time: downloads and compiles)..." >&2
    GOBIN="$work" go install "github.com/hashicorp/terraform@v$version" >&2
    built="$work/terraform"
    ;;
  tofu-*)
    # OpenTofu's own go.mod has a replace directive, so `go install @version`
    # refuses it: build it from a wrapper module that requires it and repeats
    # its replace directives (and starts from its go.sum).
    echo "Building OpenTofu v$version into .tools/bin/$name (several minutes the first time: downloads and compiles)..." >&2
    mod=github.com/opentofu/opentofu
    info=$(go mod download -json "$mod@v$version")
    gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' <<<"$info")
    dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' <<<"$info")
    if [ ! -f "$gomod" ] || [ ! -d "$dir" ]; then
      echo "cannot download $mod@v$version" >&2; exit 1
    fi
    # The go directive of OpenTofu's go.mod; no toolchain line, so an older
    # local Go fails plainly instead of downloading a newer one.
    goversion=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")
    mkdir -p "$work/wrapper"
    {
      echo "module zitadelmeta.invalid/tofu-build"
      echo
      echo "go $goversion"
      echo
      echo "require $mod v$version"
      echo
      # Single-line and block replace directives, as `replace OLD => NEW`;
      # a local-path replacement could not be followed and is refused.
      awk '/^replace[[:space:]]*\(/ { block = 1; next }
           block && /^\)/ { block = 0; next }
           block && NF { print "replace " $0; next }
           /^replace[[:space:]]/ { print }' "$gomod"
    } >"$work/wrapper/go.mod"
    if grep -Eq '=>[[:space:]]*[./]' "$work/wrapper/go.mod"; then
      echo "$mod@v$version replaces a module with a local path; cannot build it this way" >&2; exit 1
    fi
    cp "$dir/go.sum" "$work/wrapper/go.sum"
    chmod u+w "$work/wrapper/go.sum"
    cat >"$work/wrapper/tools.go" <<EOF
//go:build tools

package tools

import _ "$mod/cmd/tofu"
EOF
    (
      cd "$work/wrapper"
      go mod tidy >&2
      # The flags of OpenTofu's release builds (.goreleaser.yaml): without
      # version.dev=no it calls itself v$version-dev.
      CGO_ENABLED=0 go build -buildvcs=false -trimpath \
        -ldflags "-s -w -X '$mod/version.dev=no'" -o "$work/tofu" "$mod/cmd/tofu" >&2
    )
    built="$work/tofu"
    ;;
esac
# Copied next to its place first, so that an interrupted copy leaves no
# half binary behind under the final name.
cp "$built" "$bin.partial.$$"
mv "$bin.partial.$$" "$bin"
echo "Built $bin" >&2
echo "$bin"
