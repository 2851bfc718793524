package zitadel

import (
	"context"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// v1API is the management API v1 (contract sections 1 and 4): the
// organization travels in the x-zitadel-orgid header, "" meaning the
// caller's own; a user's calls name the user and need the user's own
// organization in the header.
type v1API struct{ tableAPI }

var mgmtService = management.ManagementService_ServiceDesc.ServiceName

func mgmtRPC(method string, read bool) rpc {
	return newRPC(APIV1, mgmtService, method, read, false)
}

var (
	rpcGetMyOrg            = mgmtRPC("GetMyOrg", true)
	rpcListOrgMetadata     = mgmtRPC("ListOrgMetadata", true)
	rpcBulkSet             = mgmtRPC("BulkSetOrgMetadata", false)
	rpcBulkRemove          = mgmtRPC("BulkRemoveOrgMetadata", false)
	rpcGetUserByIDV1       = mgmtRPC("GetUserByID", true)
	rpcListUserMetadataV1  = mgmtRPC("ListUserMetadata", true)
	rpcBulkSetUserMetadata = mgmtRPC("BulkSetUserMetadata", false)
	rpcBulkRemoveUserMeta  = mgmtRPC("BulkRemoveUserMetadata", false)
)

// v1Calls is the management API's table: an organization's metadata calls
// name nothing (the header says whose), a user's name the user.
var v1Calls = callTable{
	orgKind:  {list: rpcListOrgMetadata, set: rpcBulkSet, remove: rpcBulkRemove},
	userKind: {list: rpcListUserMetadataV1, set: rpcBulkSetUserMetadata, remove: rpcBulkRemoveUserMeta, ownerField: "id"},
}

func newV1API(c *Client) *v1API {
	return &v1API{tableAPI{c: c, table: &v1Calls, search: v1Search, found: v1Found}}
}

// v1Search pages and filters a search of either kind of owner.
func v1Search(req protoreflect.Message, filters []KeyFilter, offset uint64, limit int) {
	req.Set(field(req, "query"), protoreflect.ValueOfMessage((&object.ListQuery{Offset: offset, Limit: uint32(limit)}).ProtoReflect()))
	appendMessages(req, "queries", v1Queries(filters))
}

// v1Found reads the answer of a search of either kind of owner.
func v1Found(resp proto.Message) ([]Entry, uint64) {
	r := resp.(interface {
		GetResult() []*mdpb.Metadata
		GetDetails() *object.ListDetails
	})
	return v1Entries(r.GetResult()), r.GetDetails().GetTotalResult()
}

func (v1API) version() string { return APIV1 }

func (v v1API) getOrg(ctx context.Context, orgID string) (Org, error) {
	resp := &management.GetMyOrgResponse{}
	if err := v.c.invoke(ctx, rpcGetMyOrg, OrgOwner(orgID), &management.GetMyOrgRequest{}, resp); err != nil {
		return Org{}, err
	}
	o := resp.GetOrg()
	return Org{ID: o.GetId(), Name: o.GetName(), State: OrgState(o.GetState())}, nil
}

// getUser finds users of owner.OrgID only (the caller's own for "").
func (v v1API) getUser(ctx context.Context, owner Owner) (User, error) {
	resp := &management.GetUserByIDResponse{}
	if err := v.c.invoke(ctx, rpcGetUserByIDV1, owner, &management.GetUserByIDRequest{Id: owner.UserID}, resp); err != nil {
		return User{}, err
	}
	u := resp.GetUser()
	return User{
		ID: u.GetId(), OrgID: u.GetDetails().GetResourceOwner(),
		Inactive: u.GetState() == userpb.UserState_USER_STATE_INACTIVE,
		Removed:  u.GetState() == userpb.UserState_USER_STATE_DELETED,
	}, nil
}

func v1Queries(filters []KeyFilter) []*mdpb.MetadataQuery {
	queries := make([]*mdpb.MetadataQuery, 0, len(filters))
	for _, f := range filters {
		queries = append(queries, &mdpb.MetadataQuery{Query: &mdpb.MetadataQuery_KeyQuery{
			KeyQuery: &mdpb.MetadataKeyQuery{Key: f.Key, Method: object.TextQueryMethod(f.Method)},
		}})
	}
	return queries
}

// v1Entries reads v1's search results, which carry a sequence and the
// resource owner besides the dates.
func v1Entries(result []*mdpb.Metadata) []Entry {
	page := make([]Entry, 0, len(result))
	for _, m := range result {
		d := m.GetDetails()
		e := Entry{Key: m.GetKey(), Value: m.GetValue(), V1Details: true, Sequence: d.GetSequence(), ResourceOwner: d.GetResourceOwner()}
		if d.GetCreationDate() != nil {
			e.CreationDate = d.GetCreationDate().AsTime()
		}
		if d.GetChangeDate() != nil {
			e.ChangeDate = d.GetChangeDate().AsTime()
		}
		page = append(page, e)
	}
	return page
}
