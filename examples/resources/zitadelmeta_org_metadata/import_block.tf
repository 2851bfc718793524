# Terraform 1.5 and later: import during plan and apply.
import {
  to = zitadelmeta_org_metadata.branding
  id = "259241575254245643:theme,support_mail"
}

resource "zitadelmeta_org_metadata" "branding" {
  org_id = "259241575254245643"
  values = {
    theme        = "midnight"
    support_mail = "help@example.com"
  }
}
