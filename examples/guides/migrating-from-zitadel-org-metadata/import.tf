import {
  to = zitadelmeta_org_metadata.default
  id = "259241575254245650:team,cost_center"
}

resource "zitadelmeta_org_metadata" "default" {
  org_id = "259241575254245650"

  values = {
    team        = "platform"
    cost_center = "4711"
  }
}
