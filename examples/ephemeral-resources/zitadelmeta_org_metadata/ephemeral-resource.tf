# Reads an organization's webhook secret without storing it anywhere...
ephemeral "zitadelmeta_org_metadata" "source" {
  org_id         = var.source_org_id
  sensitive_keys = ["webhook_secret"]

  filter {
    key = "webhook_secret"
  }
}

# ...and copies it into another organization as a write-only value: neither
# the plan nor the state holds it.
resource "zitadelmeta_org_metadata" "copy" {
  org_id = var.target_org_id

  sensitive_values_wo = {
    webhook_secret = ephemeral.zitadelmeta_org_metadata.source.sensitive_values["webhook_secret"]
  }
}

variable "source_org_id" {
  type = string
}

variable "target_org_id" {
  type = string
}
