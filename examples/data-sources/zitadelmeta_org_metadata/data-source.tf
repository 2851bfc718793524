# Every key starting with "feature." in the provider's default organization.
data "zitadelmeta_org_metadata" "features" {
  filter {
    key    = "feature."
    method = "starts_with"
  }
}

output "enabled_features" {
  value = [for k, v in data.zitadelmeta_org_metadata.features.values : k if v == "on"]
}

# Filters are ANDed; binary values are always available as base64.
data "zitadelmeta_org_metadata" "logo" {
  org_id = "259241575254245643"
  filter {
    key = "logo"
  }
}

output "logo_base64" {
  value = data.zitadelmeta_org_metadata.logo.binary_values["logo"]
}

# Secrets stay out of plan output: keys in sensitive_keys appear only in
# sensitive_values and sensitive_binary_values.
data "zitadelmeta_org_metadata" "webhook" {
  filter {
    key    = "webhook."
    method = "starts_with"
  }
  sensitive_keys = ["webhook.secret"]
}

output "webhook_url" {
  value = data.zitadelmeta_org_metadata.webhook.values["webhook.url"]
}

output "webhook_secret" {
  value     = data.zitadelmeta_org_metadata.webhook.sensitive_values["webhook.secret"]
  sensitive = true
}
