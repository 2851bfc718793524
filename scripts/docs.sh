#!/usr/bin/env bash
# docs.sh generate: regenerates docs/ with tfplugindocs (pinned below) from
#                   the provider schema, templates/ and examples/.
# docs.sh check:    fails when docs/ is stale, then runs tfplugindocs validate.
# Works offline: the schema comes from the provider built here, read by the
# Terraform CLI through dev_overrides (no registry, no init).
set -euo pipefail
TFPLUGINDOCS_VERSION=v0.25.0
mode=${1:-generate}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools="$root/.tools/bin"
docsbin="$tools/tfplugindocs-$TFPLUGINDOCS_VERSION"
if [ ! -x "$docsbin" ]; then
  mkdir -p "$tools"
  tmpbin=$(mktemp -d)
  GOBIN="$tmpbin" go install "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$TFPLUGINDOCS_VERSION"
  mv "$tmpbin/tfplugindocs" "$docsbin"
  rm -rf "$tmpbin"
fi

tf=$(scripts/terraform-path.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/work"
go build -o "$tmp/bin/terraform-provider-zitadelmeta" .
cat > "$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/zitadelmeta/zitadelmeta" = "$tmp/bin"
  }
  direct {}
}
RC
cat > "$tmp/work/main.tf" <<'TF'
terraform {
  required_providers {
    zitadelmeta = { source = "zitadelmeta/zitadelmeta" }
  }
}
TF
TF_CLI_CONFIG_FILE="$tmp/terraformrc" CHECKPOINT_DISABLE=1 "$tf" -chdir="$tmp/work" providers schema -json > "$tmp/schema.json" 2> "$tmp/schema.err" || {
  cat "$tmp/schema.err" >&2; exit 1; }
# tfplugindocs looks the schema up by the provider's short name.
sed -i 's#"registry.terraform.io/zitadelmeta/zitadelmeta"#"zitadelmeta"#' "$tmp/schema.json"

case "$mode" in
  generate)
    "$docsbin" generate --provider-name zitadelmeta --providers-schema "$tmp/schema.json"
    ;;
  check)
    mkdir -p "$tmp/src" && cp -r "$root/templates" "$root/examples" "$tmp/src/"
    "$docsbin" generate --provider-name zitadelmeta --providers-schema "$tmp/schema.json" \
      --provider-dir "$tmp/src" >/dev/null
    if ! diff -ru "$root/docs" "$tmp/src/docs"; then
      echo "docs/ is stale: run 'make docs' and commit the result." >&2
      exit 1
    fi
    "$docsbin" validate --provider-name zitadelmeta --providers-schema "$tmp/schema.json"
    ;;
  *)
    echo "usage: $0 generate|check" >&2; exit 2
    ;;
esac
