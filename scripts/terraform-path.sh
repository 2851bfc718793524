#!/usr/bin/env bash
# Prints the path of a Terraform CLI for the tests and the demo:
# TF_ACC_TERRAFORM_PATH if set, else `terraform` on PATH, else one built
# from source into .tools/bin (go install github.com/hashicorp/terraform@v1.5.7,
# the newest 1.x that builds that way; about two minutes the first time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ] && [ -x "${TF_ACC_TERRAFORM_PATH}" ]; then
  echo "$TF_ACC_TERRAFORM_PATH"; exit 0
fi
if command -v terraform >/dev/null 2>&1; then
  command -v terraform; exit 0
fi
bin="$root/.tools/bin/terraform"
if [ ! -x "$bin" ]; then
  echo "No terraform on PATH: building Terraform v1.5.7 into .tools/bin (about two minutes the first time)..." >&2
  GOBIN="$root/.tools/bin" go install github.com/hashicorp/terraform@v1.5.7 >&2
fi
echo "$bin"
