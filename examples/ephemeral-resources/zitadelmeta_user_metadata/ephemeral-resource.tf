# Reads a service account's API key from its metadata, in memory only...
ephemeral "zitadelmeta_user_metadata" "ci_bot" {
  user_id        = "259241575254245650"
  sensitive_keys = ["api_key"]

  filter {
    key = "api_key"
  }
}

# ...and hands it to another user as a write-only value.
resource "zitadelmeta_user_metadata" "deploy_bot" {
  user_id = "259241575254245651"

  sensitive_values_wo = {
    api_key = ephemeral.zitadelmeta_user_metadata.ci_bot.sensitive_values["api_key"]
  }
}
