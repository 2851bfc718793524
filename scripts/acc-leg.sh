#!/usr/bin/env bash
# Runs go test for one leg of the acceptance matrix:
#   scripts/acc-leg.sh API/TRANSPORT[/CLI] [go test arguments...]
# API (v1, v2) and TRANSPORT (grpc, rest) become TF_ACC_ZITADEL_API_VERSION
# and TF_ACC_ZITADEL_TRANSPORT. CLI, when given, is a pinned Terraform or
# OpenTofu (terraform-1.5.7, tofu-1.10.7) that scripts/cli-path.sh builds
# into .tools/bin; without it the usual CLI (scripts/terraform-path.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
leg=${1:?usage: $0 API/TRANSPORT[/CLI] [go test arguments...]}
shift
IFS=/ read -r api transport cli <<<"$leg"
# The CLI's first line of `version`, whatever TF_CLI_ARGS says.
version_of() { env -u TF_CLI_ARGS -u TF_CLI_ARGS_version "$1" version | head -n 1; }
cli_path=$("$root/scripts/terraform-path.sh")
# A pinned Terraform that the usual CLI already is needs no build.
if [ -n "$cli" ] && ! { [ "${cli%%-*}" = terraform ] && [ "$(version_of "$cli_path")" = "Terraform v${cli#*-}" ]; }; then
  cli_path=$("$root/scripts/cli-path.sh" "$cli")
fi
export TF_ACC_ZITADEL_API_VERSION="$api" TF_ACC_ZITADEL_TRANSPORT="$transport" TF_ACC_TERRAFORM_PATH="$cli_path"
case "$cli" in
  # OpenTofu resolves the tests' provider to its own registry's address:
  # terraform-plugin-testing must serve it under that host.
  tofu-*) export TF_ACC_PROVIDER_HOST=registry.opentofu.org ;;
esac
echo "acceptance tests: $api/$transport with $(version_of "$cli_path")" >&2
exec go test "$@"
