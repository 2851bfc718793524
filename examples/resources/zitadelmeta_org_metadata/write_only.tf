# A secret that never reaches a plan or the state (Terraform 1.11 or
# OpenTofu 1.11 and later): from an ephemeral variable, given with -var or
# TF_VAR_billing_api_key (with a saved plan, give it again to terraform
# apply), or from an ephemeral resource.
variable "billing_api_key" {
  type      = string
  ephemeral = true
  sensitive = true
}

resource "zitadelmeta_org_metadata" "billing" {
  org_id = "259241575254245650"

  values = {
    integration = "billing"
  }

  # The state lists the keys, in sensitive_values_wo_keys, never the values.
  sensitive_values_wo = {
    billing_api_key = var.billing_api_key
  }

  # Change it to write every write-only value again.
  sensitive_values_wo_version = 1
}
