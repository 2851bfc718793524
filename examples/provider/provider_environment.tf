# Every setting can come from the environment instead:
#   ZITADEL_DOMAIN, ZITADEL_PORT, ZITADEL_INSECURE, ZITADEL_CA_CERTIFICATE,
#   ZITADEL_ACCESS_TOKEN, ZITADEL_JWT_PROFILE_FILE, ZITADEL_JWT_PROFILE_JSON,
#   ZITADEL_ORG_ID, ZITADEL_API_VERSION, ZITADEL_TRANSPORT, ZITADEL_ISSUER,
#   ZITADEL_HEADERS (a JSON object), ZITADEL_RETRY_TIMEOUT
provider "zitadelmeta" {}

# A self-hosted ZITADEL behind a private CA.
provider "zitadelmeta" {
  alias          = "internal"
  domain         = "zitadel.internal.example.com"
  ca_certificate = file("${path.module}/internal-ca.pem")
}
