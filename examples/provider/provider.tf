terraform {
  required_providers {
    zitadelmeta = {
      source = "zitadelmeta/zitadelmeta"
    }
  }
}

# A personal access token of a user or service account with ORG_OWNER (or
# ORG_SETTINGS_MANAGER) on the organizations whose metadata you manage.
provider "zitadelmeta" {
  domain       = "my-instance.zitadel.cloud"
  access_token = var.zitadel_access_token

  # Resources and data sources without org_id use this organization;
  # without it, the token's own organization.
  org_id = "259241575254245643"
}

variable "zitadel_access_token" {
  type      = string
  sensitive = true
}
