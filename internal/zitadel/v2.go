package zitadel

import (
	"context"
	"errors"
	"fmt"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// v2API is the organization service v2 and the user service v2 (contract
// sections 2 and 4): every request names its organization or user, and
// permissions are checked inside the call. A
// search by a caller who may not read the organization, and a search of an
// organization that does not exist, answer OK with an empty list: getOrg
// is how the engine's callers tell those apart from "no keys".
type v2API struct{ tableAPI }

var orgService = orgv2.OrganizationService_ServiceDesc.ServiceName

func v2RPC(service, method string, read bool) rpc {
	return newRPC(APIV2, service, method, read, true)
}

var userService = userv2.UserService_ServiceDesc.ServiceName

// The keys of a REST delete travel as query parameters: its rule has no
// body, and a JSON body is ignored (contract sections 2 and 4).
var (
	rpcListOrganizations        = v2RPC(orgService, "ListOrganizations", true)
	rpcListOrganizationMetadata = v2RPC(orgService, "ListOrganizationMetadata", true)
	rpcSetOrganizationMetadata  = v2RPC(orgService, "SetOrganizationMetadata", false)
	rpcDeleteOrgMetadata        = v2RPC(orgService, "DeleteOrganizationMetadata", false)
	rpcGetUserByIDV2            = v2RPC(userService, "GetUserByID", true)
	rpcListUserMetadataV2       = v2RPC(userService, "ListUserMetadata", true)
	rpcSetUserMetadata          = v2RPC(userService, "SetUserMetadata", false)
	rpcDeleteUserMetadata       = v2RPC(userService, "DeleteUserMetadata", false)
)

func (v2API) version() string { return APIV2 }

// v2Calls is the v2 services' table: every request names the
// organization or the user.
var v2Calls = callTable{
	orgKind:  {list: rpcListOrganizationMetadata, set: rpcSetOrganizationMetadata, remove: rpcDeleteOrgMetadata, ownerField: "organization_id"},
	userKind: {list: rpcListUserMetadataV2, set: rpcSetUserMetadata, remove: rpcDeleteUserMetadata, ownerField: "user_id", emptyPageEnds: true},
}

func newV2API(c *Client) *v2API {
	return &v2API{tableAPI{c: c, table: &v2Calls, search: v2Search, found: v2Found}}
}

// v2Search pages and filters a search of either kind of owner.
func v2Search(req protoreflect.Message, filters []KeyFilter, offset uint64, limit int) {
	pagination := &filterv2.PaginationRequest{Offset: offset, Limit: uint32(limit), Asc: true}
	req.Set(field(req, "pagination"), protoreflect.ValueOfMessage(pagination.ProtoReflect()))
	appendMessages(req, "filters", v2Filters(filters))
}

// v2Found reads the answer of a search of either kind of owner.
func v2Found(resp proto.Message) ([]Entry, uint64) {
	r := resp.(interface {
		GetMetadata() []*mdv2.Metadata
		GetPagination() *filterv2.PaginationResponse
	})
	return v2Entries(r.GetMetadata()), r.GetPagination().GetTotalResult()
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
	return v.tableAPI.listPage(ctx, owner, filters, offset, min(limit, MaxPageSize))
}

func v2Filters(filters []KeyFilter) []*mdv2.MetadataSearchFilter {
	search := make([]*mdv2.MetadataSearchFilter, 0, len(filters))
	for _, f := range filters {
		search = append(search, &mdv2.MetadataSearchFilter{Filter: &mdv2.MetadataSearchFilter_KeyFilter{
			KeyFilter: &mdv2.MetadataKeyFilter{Key: f.Key, Method: filterv2.TextFilterMethod(f.Method)},
		}})
	}
	return search
}

func v2Entries(result []*mdv2.Metadata) []Entry {
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
	return page
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
	return v.tableAPI.set(ctx, owner, entries)
}

func (v v2API) remove(ctx context.Context, owner Owner, keys []string) error {
	if err := needOrg(owner); err != nil {
		return err
	}
	err := v.tableAPI.remove(ctx, owner, keys)
	// The contract gives v2's answer to a missing key as v1's NotFound but
	// not its id: a NotFound without an id that is not about the
	// membership counts as a missing key, which the engine then looks up.
	var e *Error
	if errors.As(err, &e) && e.Code == codes.NotFound && e.Kind == KindOther && e.ID == "" {
		e.Kind = KindKeysMissing
	}
	return err
}
