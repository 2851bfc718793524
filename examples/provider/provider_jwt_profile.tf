# A service-account key file (JSON), exchanged for access tokens through the
# JWT profile grant. Use jwt_profile_json = file("...") or a secret store's
# output to pass the content instead of a path.
provider "zitadelmeta" {
  domain           = "my-instance.zitadel.cloud"
  jwt_profile_file = "${path.module}/zitadel-key.json"
}
