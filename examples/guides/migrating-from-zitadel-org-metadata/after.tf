resource "zitadelmeta_org_metadata" "default" {
  org_id = var.org_id

  values = {
    team        = "platform"
    cost_center = "4711"
  }

  # A secret the old resource held in its state: write-only here.
  sensitive_values_wo = {
    webhook_secret = var.webhook_secret
  }
}

variable "org_id" {
  type = string
}

variable "webhook_secret" {
  type      = string
  ephemeral = true
  sensitive = true
}
