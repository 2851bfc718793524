package zitadel

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
)

// v2API is the organization service v2 and the user service v2 (contract
// sections 2 and 4): every request names its organization or user, and
// permissions are checked inside the call. A
// search by a caller who may not read the organization, and a search of an
// organization that does not exist, answer OK with an empty list: getOrg
// is how the engine's callers tell those apart from "no keys".
type v2API struct{ c *Client }

var orgService = orgv2.OrganizationService_ServiceDesc.ServiceName

func v2RPC(service, method string, read bool, verb, path, query string) rpc {
	return rpc{api: APIV2, service: service, method: method, read: read, orgInRequest: true, rest: route{verb: verb, path: path, query: query}}
}

var userService = userv2.UserService_ServiceDesc.ServiceName

// The keys of a REST delete travel as query parameters: a JSON body is
// ignored (contract sections 2 and 4).
var (
	rpcListOrganizations        = v2RPC(orgService, "ListOrganizations", true, http.MethodPost, "/v2/organizations/_search", "")
	rpcListOrganizationMetadata = v2RPC(orgService, "ListOrganizationMetadata", true, http.MethodPost, "/v2/organizations/{organization_id}/metadata/search", "")
	rpcSetOrganizationMetadata  = v2RPC(orgService, "SetOrganizationMetadata", false, http.MethodPost, "/v2/organizations/{organization_id}/metadata", "")
	rpcDeleteOrgMetadata        = v2RPC(orgService, "DeleteOrganizationMetadata", false, http.MethodDelete, "/v2/organizations/{organization_id}/metadata", "keys")
	rpcGetUserByIDV2            = v2RPC(userService, "GetUserByID", true, http.MethodGet, "/v2/users/{user_id}", "")
	rpcListUserMetadataV2       = v2RPC(userService, "ListUserMetadata", true, http.MethodPost, "/v2/users/{user_id}/metadata/search", "")
	rpcSetUserMetadata          = v2RPC(userService, "SetUserMetadata", false, http.MethodPost, "/v2/users/{user_id}/metadata", "")
	rpcDeleteUserMetadata       = v2RPC(userService, "DeleteUserMetadata", false, http.MethodDelete, "/v2/users/{user_id}/metadata", "keys")
)

func (v2API) version() string { return APIV2 }

func (v2API) writes(owner Owner) (set, remove rpc) {
	if owner.IsUser() {
		return rpcSetUserMetadata, rpcDeleteUserMetadata
	}
	return rpcSetOrganizationMetadata, rpcDeleteOrgMetadata
}

// needOrg is the error of an organization's call without an id: v2 cannot
// name the caller's own organization.
func needOrg(owner Owner) error {
	if owner.IsUser() || owner.OrgID != "" {
		return nil
	}
	return &Error{Method: "ListOrganizations", API: APIV2, Kind: KindOrgRequired, Concluded: true,
		Message: "the organization service v2 names the organization in every call and cannot tell the caller's own organization"}
}

// getOrg searches the organizations by id (contract section 2, "How to
// confirm on v2"): total 0 means gone for every caller; total 1 without a
// result means the organization exists but the caller may not see it;
// a result tells its state. v2 cannot name the caller's own organization.
func (v v2API) getOrg(ctx context.Context, orgID string) (Org, error) {
	if err := needOrg(OrgOwner(orgID)); err != nil {
		return Org{}, err
	}
	req := &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: orgID}}}}}
	resp := &orgv2.ListOrganizationsResponse{}
	if err := v.c.invoke(ctx, rpcListOrganizations, OrgOwner(orgID), req, resp); err != nil {
		return Org{}, err
	}
	for _, o := range resp.GetResult() {
		if o.GetId() == orgID {
			return Org{ID: o.GetId(), Name: o.GetName(), State: OrgState(o.GetState())}, nil
		}
	}
	if resp.GetDetails().GetTotalResult() == 0 {
		return Org{}, &Error{Method: "ListOrganizations", OrgID: orgID, API: APIV2, Code: codes.NotFound, Kind: KindOrgNotFound, Concluded: true,
			Message: fmt.Sprintf("no organization with id %s exists (ListOrganizations found none)", orgID)}
	}
	return Org{}, &Error{Method: "ListOrganizations", OrgID: orgID, API: APIV2, Code: codes.PermissionDenied, Kind: KindNoAccess, Concluded: true,
		Message: fmt.Sprintf("organization %s exists, but the caller may not read it (ListOrganizations counted it and returned nothing), so its metadata search answered with an empty list", orgID)}
}

// getUser is the user service's lookup: the user's organization and state;
// a missing or removed user is QUERY-Dfbg2 (KindUserNotFound), a caller
// without membership in the user's organization AUTHZ-cdgFk.
func (v v2API) getUser(ctx context.Context, owner Owner) (User, error) {
	resp := &userv2.GetUserByIDResponse{}
	if err := v.c.invoke(ctx, rpcGetUserByIDV2, owner, &userv2.GetUserByIDRequest{UserId: owner.UserID}, resp); err != nil {
		return User{}, err
	}
	u := resp.GetUser()
	return User{
		ID: u.GetUserId(), OrgID: u.GetDetails().GetResourceOwner(),
		Inactive: u.GetState() == userv2.UserState_USER_STATE_INACTIVE,
		Removed:  u.GetState() == userv2.UserState_USER_STATE_DELETED,
	}, nil
}

func (v v2API) listPage(ctx context.Context, owner Owner, filters []KeyFilter, offset uint64, limit int) ([]Entry, uint64, error) {
	if err := needOrg(owner); err != nil {
		return nil, 0, err
	}
	pagination := &filterv2.PaginationRequest{Offset: offset, Limit: uint32(min(limit, MaxPageSize)), Asc: true}
	search := make([]*mdv2.MetadataSearchFilter, 0, len(filters))
	for _, f := range filters {
		search = append(search, &mdv2.MetadataSearchFilter{Filter: &mdv2.MetadataSearchFilter_KeyFilter{
			KeyFilter: &mdv2.MetadataKeyFilter{Key: f.Key, Method: filterv2.TextFilterMethod(f.Method)},
		}})
	}
	var (
		result []*mdv2.Metadata
		total  uint64
	)
	if owner.IsUser() {
		resp := &userv2.ListUserMetadataResponse{}
		req := &userv2.ListUserMetadataRequest{UserId: owner.UserID, Pagination: pagination, Filters: search}
		if err := v.c.invoke(ctx, rpcListUserMetadataV2, owner, req, resp); err != nil {
			return nil, 0, err
		}
		result, total = resp.GetMetadata(), resp.GetPagination().GetTotalResult()
		if len(result) == 0 {
			// A caller without membership gets an empty page whose total
			// still counts every entry (contract section 4): no page ahead.
			total = 0
		}
	} else {
		resp := &orgv2.ListOrganizationMetadataResponse{}
		req := &orgv2.ListOrganizationMetadataRequest{OrganizationId: owner.OrgID, Pagination: pagination, Filters: search}
		if err := v.c.invoke(ctx, rpcListOrganizationMetadata, owner, req, resp); err != nil {
			return nil, 0, err
		}
		result, total = resp.GetMetadata(), resp.GetPagination().GetTotalResult()
	}
	page := make([]Entry, 0, len(result))
	for _, m := range result {
		e := Entry{Key: m.GetKey(), Value: m.GetValue()}
		if m.GetCreationDate() != nil {
			e.CreationDate = m.GetCreationDate().AsTime()
		}
		if m.GetChangeDate() != nil {
			e.ChangeDate = m.GetChangeDate().AsTime()
		}
		page = append(page, e)
	}
	return page, total, nil
}

// set never sends an empty value: v2 would delete the key instead of
// refusing the value as v1 does.
func (v v2API) set(ctx context.Context, owner Owner, entries []KV) error {
	if err := needOrg(owner); err != nil {
		return err
	}
	setRPC, _ := v.writes(owner)
	for _, e := range entries {
		if len(e.Value) == 0 {
			return &Error{Method: setRPC.method, OrgID: owner.OrgID, UserID: owner.UserID, API: APIV2, Code: codes.InvalidArgument, Kind: KindInvalidInput, Concluded: true,
				Message: fmt.Sprintf("the value of key %q is empty, which the v2 API would take as \"delete the key\"; values need 1 to 500000 bytes", e.Key)}
		}
	}
	if owner.IsUser() {
		req := &userv2.SetUserMetadataRequest{UserId: owner.UserID, Metadata: make([]*userv2.Metadata, 0, len(entries))}
		for _, e := range entries {
			req.Metadata = append(req.Metadata, &userv2.Metadata{Key: e.Key, Value: e.Value})
		}
		return v.c.invoke(ctx, setRPC, owner, req, &userv2.SetUserMetadataResponse{})
	}
	req := &orgv2.SetOrganizationMetadataRequest{OrganizationId: owner.OrgID, Metadata: make([]*orgv2.Metadata, 0, len(entries))}
	for _, e := range entries {
		req.Metadata = append(req.Metadata, &orgv2.Metadata{Key: e.Key, Value: e.Value})
	}
	return v.c.invoke(ctx, setRPC, owner, req, &orgv2.SetOrganizationMetadataResponse{})
}

func (v v2API) remove(ctx context.Context, owner Owner, keys []string) error {
	if err := needOrg(owner); err != nil {
		return err
	}
	_, removeRPC := v.writes(owner)
	var err error
	if owner.IsUser() {
		err = v.c.invoke(ctx, removeRPC, owner, &userv2.DeleteUserMetadataRequest{UserId: owner.UserID, Keys: keys}, &userv2.DeleteUserMetadataResponse{})
	} else {
		err = v.c.invoke(ctx, removeRPC, owner, &orgv2.DeleteOrganizationMetadataRequest{OrganizationId: owner.OrgID, Keys: keys}, &orgv2.DeleteOrganizationMetadataResponse{})
	}
	// The contract gives v2's answer to a missing key as v1's NotFound but
	// not its id: a NotFound without an id that is not about the
	// membership counts as a missing key, which the engine then looks up.
	var e *Error
	if errors.As(err, &e) && e.Code == codes.NotFound && e.Kind == KindOther && e.ID == "" {
		e.Kind = KindKeysMissing
	}
	return err
}
