# A secret that never reaches a plan or the state (Terraform 1.11 or
# OpenTofu 1.11 and later), from an ephemeral variable.
variable "signing_key" {
  type      = string
  ephemeral = true
  sensitive = true
}

resource "zitadelmeta_user_metadata" "ci_bot" {
  user_id = "259241575254245650"

  sensitive_values_wo = {
    signing_key = var.signing_key
  }

  # Change it to write every write-only value again.
  sensitive_values_wo_version = 1
}
