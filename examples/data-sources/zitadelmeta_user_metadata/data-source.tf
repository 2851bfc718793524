# Every key of a user starting with "support.". The user's organization is
# looked up and exported as org_id.
data "zitadelmeta_user_metadata" "agent" {
  user_id = var.user_id
  filter {
    key    = "support."
    method = "starts_with"
  }
}

output "support_tier" {
  value = data.zitadelmeta_user_metadata.agent.values["support.tier"]
}

output "user_org_id" {
  value = data.zitadelmeta_user_metadata.agent.org_id
}

# Binary values are always available as base64; secrets stay out of plan
# output: keys in sensitive_keys appear only in sensitive_values and
# sensitive_binary_values.
data "zitadelmeta_user_metadata" "ci_bot" {
  user_id        = var.ci_bot_user_id
  org_id         = "259241575254245643" # optional: checked against the user's organization
  sensitive_keys = ["deploy_token"]
}

output "ci_bot_signing_cert" {
  value = data.zitadelmeta_user_metadata.ci_bot.binary_values["signing_cert"]
}

output "ci_bot_deploy_token" {
  value     = data.zitadelmeta_user_metadata.ci_bot.sensitive_values["deploy_token"]
  sensitive = true
}

variable "user_id" {
  type = string
}

variable "ci_bot_user_id" {
  type = string
}
