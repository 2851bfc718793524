# Manage a few keys of an organization; every other key is left alone.
resource "zitadelmeta_org_metadata" "branding" {
  org_id = "259241575254245643"

  values = {
    theme        = "midnight"
    support_mail = "help@example.com"
  }

  # Raw bytes, given base64-encoded; ZITADEL stores the decoded bytes.
  binary_values = {
    logo = filebase64("${path.module}/logo.png")
  }

  # Kept out of plan output.
  sensitive_values = {
    webhook_secret = var.webhook_secret
  }
}

# Own every key of an organization: keys added outside Terraform show in
# the plan and are removed on apply.
resource "zitadelmeta_org_metadata" "tenant" {
  org_id    = "259241575254245644"
  exclusive = true

  values = {
    tier   = "enterprise"
    region = "eu-central"
  }
}

variable "webhook_secret" {
  type      = string
  sensitive = true
}
