#!/usr/bin/env bash
# Prints the path of a Terraform CLI for the tests and the demo:
# TF_ACC_TERRAFORM_PATH if set, else `terraform` on PATH, else Terraform
# v1.5.7 built from source into .tools/bin by scripts/cli-path.sh (the
# newest 1.x that builds that way, and the oldest the provider supports).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ] && [ -x "${TF_ACC_TERRAFORM_PATH}" ]; then
  echo "$TF_ACC_TERRAFORM_PATH"; exit 0
fi
if command -v terraform >/dev/null 2>&1; then
  command -v terraform; exit 0
fi
exec "$root/scripts/cli-path.sh" terraform-1.5.7
