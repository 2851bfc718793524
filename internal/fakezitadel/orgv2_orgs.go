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
// from "no access" on v2 (contract section 2), and to find organizations by
// name: queries of kind id_query and name_query, ANDed, or none at all
// (every organization). A name query matches as ZITADEL's SQL does (see
// matchKey) with the methods EQUALS and STARTS_WITH and their IGNORE_CASE
// variants; the other methods answer Unimplemented, as do the other query
// kinds (the fake does not model domains or states).
//
// The matches come sorted by id; the request's list query pages them
// (offset, and limit when not 0: the fake applies no default or maximum
// limit), and total_result counts every live organization that matches,
// visible or not, but is 0 for a page past the end, as for the metadata
// lists (see page). The results hold those of the page the caller can see,
// with state ORGANIZATION_STATE_ACTIVE: the contract checked that a caller
// without membership sees none; the fake takes visibility to be org.read
// there (as for the metadata search), so a visible organization's metadata
// search is never permission-filtered, and an instance owner sees every
// organization. A removed organization matches nothing, for every caller.
// The sorting column and the order (asc) are ignored.
func (v *orgServer) ListOrganizations(ctx context.Context, req *orgv2.ListOrganizationsRequest) (*orgv2.ListOrganizationsResponse, error) {
	match, err := orgMatcher(req.GetQueries())
	if err != nil {
		return nil, err
	}
	u := userFrom(ctx)

	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	var matched []string
	for id, o := range v.s.orgs {
		if !o.removed && match(o) {
			matched = append(matched, id)
		}
	}
	sort.Strings(matched)
	ids, total := page(matched, req.GetQuery().GetOffset(), req.GetQuery().GetLimit())
	result := []*orgv2.Organization{}
	for _, id := range ids {
		o := v.s.orgs[id]
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

// orgMatcher validates the queries of a ListOrganizations request as the
// real server's request validation does, in its words, and returns the
// filter that ANDs them.
func orgMatcher(queries []*orgv2.SearchQuery) (func(*org) bool, error) {
	var filters []func(*org) bool
	for i, q := range queries {
		invalid := func(cause string) error {
			return validationError(fmt.Sprintf("invalid ListOrganizationsRequest.Queries[%d]: embedded message failed validation | caused by: %s", i, cause))
		}
		switch q := q.GetQuery().(type) {
		case nil:
			return nil, invalid("invalid SearchQuery.Query: value is required")
		case *orgv2.SearchQuery_IdQuery:
			id := q.IdQuery.GetId()
			if !validKey(id) {
				return nil, invalid("invalid SearchQuery.IdQuery: embedded message failed validation | caused by: invalid OrganizationIDQuery.Id: value length must be between 1 and 200 runes, inclusive")
			}
			filters = append(filters, func(o *org) bool { return o.id == id })
		case *orgv2.SearchQuery_NameQuery:
			name, method := q.NameQuery.GetName(), q.NameQuery.GetMethod()
			cause := "invalid SearchQuery.NameQuery: embedded message failed validation | caused by: "
			switch {
			case !validKey(name):
				return nil, invalid(cause + "invalid OrganizationNameQuery.Name: value length must be between 1 and 200 runes, inclusive")
			case objv2.TextQueryMethod_name[int32(method)] == "":
				return nil, invalid(cause + "invalid OrganizationNameQuery.Method: value must be one of the defined enum values")
			case method > objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE:
				return nil, status.Errorf(codes.Unimplemented, "the fake serves ListOrganizations' name_query only with the methods EQUALS and STARTS_WITH (and IGNORE_CASE), not %s", method)
			}
			filters = append(filters, func(o *org) bool { return matchKey(o.name, name, TextMethod(method)) })
		default:
			return nil, status.Errorf(codes.Unimplemented, "the fake serves ListOrganizations only with id_query and name_query, not %T", q)
		}
	}
	return func(o *org) bool {
		for _, f := range filters {
			if !f(o) {
				return false
			}
		}
		return true
	}, nil
}
