package fakezitadel

import (
	"context"
	"fmt"
	"sort"

	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ListOrganizations serves what a client needs to tell "organization gone"
// from "no access" on v2 (contract section 2): queries of kind id_query,
// ANDed, or none at all (every organization). total_result counts every
// live organization that matches, visible or not; the results hold only
// those the caller can see, with state ORGANIZATION_STATE_ACTIVE. The
// contract checked that a caller without membership sees none; the fake
// takes visibility to be org.read there (as for the metadata search), so a
// visible organization's metadata search is never permission-filtered. A removed organization matches
// nothing, for every caller. Other query kinds answer Unimplemented, as the
// fake does not model names, domains or states; the list query (offset,
// limit) and the sorting column are ignored, the results come sorted by id.
func (v *orgServer) ListOrganizations(ctx context.Context, req *orgv2.ListOrganizationsRequest) (*orgv2.ListOrganizationsResponse, error) {
	var ids []string
	for i, q := range req.GetQueries() {
		idq := q.GetIdQuery()
		switch {
		case q.GetQuery() == nil:
			return nil, validationError(fmt.Sprintf("invalid ListOrganizationsRequest.Queries[%d]: embedded message failed validation | caused by: invalid SearchQuery.Query: value is required", i))
		case idq == nil:
			return nil, status.Errorf(codes.Unimplemented, "the fake serves ListOrganizations only with id_query, not %T", q.GetQuery())
		case !validKey(idq.GetId()):
			return nil, validationError(fmt.Sprintf("invalid ListOrganizationsRequest.Queries[%d]: embedded message failed validation | caused by: invalid SearchQuery.IdQuery: embedded message failed validation | caused by: invalid OrganizationIDQuery.Id: value length must be between 1 and 200 runes, inclusive", i))
		}
		ids = append(ids, idq.GetId())
	}
	u := userFrom(ctx)

	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	all := make([]string, 0, len(v.s.orgs))
	for id := range v.s.orgs {
		all = append(all, id)
	}
	sort.Strings(all)
	var total uint64
	result := []*orgv2.Organization{}
orgs:
	for _, id := range all {
		o := v.s.orgs[id]
		if o.removed {
			continue
		}
		for _, want := range ids {
			if id != want {
				continue orgs
			}
		}
		total++
		if hasAny(rolesIn(u, id), readRolesAll()) {
			result = append(result, &orgv2.Organization{
				Id:            o.id,
				Details:       &objv2.Details{Sequence: o.sequence, CreationDate: ts(o.created), ChangeDate: ts(o.created), ResourceOwner: o.id},
				State:         orgv2.OrganizationState_ORGANIZATION_STATE_ACTIVE,
				Name:          o.name,
				PrimaryDomain: o.name + ".localhost",
			})
		}
	}
	return &orgv2.ListOrganizationsResponse{
		Details: &objv2.ListDetails{TotalResult: total, Timestamp: ts(v.s.opts.Now())},
		Result:  result,
	}, nil
}
