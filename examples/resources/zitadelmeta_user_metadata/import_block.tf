# Terraform 1.5 and later: import during plan and apply.
import {
  to = zitadelmeta_user_metadata.ci_bot
  id = "259241575254245650:team,cost_center"
}

resource "zitadelmeta_user_metadata" "ci_bot" {
  user_id = "259241575254245650"
  values = {
    team        = "platform"
    cost_center = "4711"
  }
}
