# Manage a few keys of a machine user; every other key of the user is left
# alone. org_id is omitted: the plan looks the user's organization up once
# and records it.
resource "zitadelmeta_user_metadata" "ci_bot" {
  user_id = var.ci_bot_user_id # e.g. zitadel_machine_user.ci_bot.id

  values = {
    team        = "platform"
    cost_center = "4711"
  }

  # Raw bytes, given base64-encoded; ZITADEL stores the decoded bytes.
  binary_values = {
    signing_cert = filebase64("${path.module}/ci-bot.der")
    settings     = base64gzip(jsonencode({ environments = ["staging", "prod"] }))
  }

  # Kept out of plan output.
  sensitive_values = {
    deploy_token = var.ci_bot_deploy_token
  }
}

# The same keys on several users: one resource per user. Keys that share a
# prefix ("support.") keep each refresh to the user's matching keys.
resource "zitadelmeta_user_metadata" "support" {
  for_each = var.support_agents

  user_id = each.value
  org_id  = var.support_org_id # optional; must be the user's own organization

  values = {
    "support.name" = each.key
    "support.tier" = "2"
  }
}

variable "ci_bot_user_id" {
  type = string
}

variable "ci_bot_deploy_token" {
  type      = string
  sensitive = true
}

variable "support_agents" {
  description = "User ids of the support agents, by name."
  type        = map(string)
}

variable "support_org_id" {
  type = string
}
