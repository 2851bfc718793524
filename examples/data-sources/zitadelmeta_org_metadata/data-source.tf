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
