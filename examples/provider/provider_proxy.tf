# ZITADEL behind a proxy or tunnel that passes REST but breaks gRPC, with a
# zero-trust gateway that wants a service token on every request.
provider "zitadelmeta" {
  domain           = "zitadel.example.com"
  jwt_profile_file = "${path.module}/terraform-sa.json"

  # "auto" (the default) would find out by itself; "rest" skips the gRPC attempt.
  transport = "rest"

  headers = {
    "cf-access-client-id"     = var.access_client_id
    "cf-access-client-secret" = var.access_client_secret
  }

  # Only when the address Terraform uses is not the one ZITADEL calls itself.
  issuer = "https://auth.example.com"
}

variable "access_client_id" {
  type = string
}

variable "access_client_secret" {
  type      = string
  sensitive = true
}
