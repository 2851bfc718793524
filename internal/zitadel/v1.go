package zitadel

import (
	"context"
	"net/http"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

// v1API is the management API v1 (contract sections 1 and 4): the
// organization travels in the x-zitadel-orgid header, "" meaning the
// caller's own; a user's calls name the user and need the user's own
// organization in the header.
type v1API struct{ c *Client }

var mgmtService = management.ManagementService_ServiceDesc.ServiceName

func mgmtRPC(method string, read bool, verb, path string) rpc {
	return rpc{api: APIV1, service: mgmtService, method: method, read: read, rest: route{verb: verb, path: path}}
}

var (
	rpcGetMyOrg            = mgmtRPC("GetMyOrg", true, http.MethodGet, "/management/v1/orgs/me")
	rpcListOrgMetadata     = mgmtRPC("ListOrgMetadata", true, http.MethodPost, "/management/v1/metadata/_search")
	rpcBulkSet             = mgmtRPC("BulkSetOrgMetadata", false, http.MethodPost, "/management/v1/metadata/_bulk")
	rpcBulkRemove          = mgmtRPC("BulkRemoveOrgMetadata", false, http.MethodDelete, "/management/v1/metadata/_bulk")
	rpcGetUserByIDV1       = mgmtRPC("GetUserByID", true, http.MethodGet, "/management/v1/users/{id}")
	rpcListUserMetadataV1  = mgmtRPC("ListUserMetadata", true, http.MethodPost, "/management/v1/users/{id}/metadata/_search")
	rpcBulkSetUserMetadata = mgmtRPC("BulkSetUserMetadata", false, http.MethodPost, "/management/v1/users/{id}/metadata/_bulk")
	rpcBulkRemoveUserMeta  = mgmtRPC("BulkRemoveUserMetadata", false, http.MethodDelete, "/management/v1/users/{id}/metadata/_bulk")
)

func (v1API) version() string { return APIV1 }

func (v1API) writes(owner Owner) (set, remove rpc) {
	if owner.IsUser() {
		return rpcBulkSetUserMetadata, rpcBulkRemoveUserMeta
	}
	return rpcBulkSet, rpcBulkRemove
}

func (v v1API) getOrg(ctx context.Context, orgID string) (Org, error) {
	resp := &management.GetMyOrgResponse{}
	if err := v.c.invoke(ctx, rpcGetMyOrg, OrgOwner(orgID), &management.GetMyOrgRequest{}, resp); err != nil {
		return Org{}, err
	}
	o := resp.GetOrg()
	return Org{ID: o.GetId(), Name: o.GetName(), State: OrgState(o.GetState())}, nil
}

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

func (v v1API) listPage(ctx context.Context, owner Owner, filters []KeyFilter, offset uint64, limit int) ([]Entry, uint64, error) {
	query := &object.ListQuery{Offset: offset, Limit: uint32(limit)}
	var (
		result []*mdpb.Metadata
		total  uint64
	)
	if owner.IsUser() {
		resp := &management.ListUserMetadataResponse{}
		req := &management.ListUserMetadataRequest{Id: owner.UserID, Query: query, Queries: v1Queries(filters)}
		if err := v.c.invoke(ctx, rpcListUserMetadataV1, owner, req, resp); err != nil {
			return nil, 0, err
		}
		result, total = resp.GetResult(), resp.GetDetails().GetTotalResult()
	} else {
		resp := &management.ListOrgMetadataResponse{}
		req := &management.ListOrgMetadataRequest{Query: query, Queries: v1Queries(filters)}
		if err := v.c.invoke(ctx, rpcListOrgMetadata, owner, req, resp); err != nil {
			return nil, 0, err
		}
		result, total = resp.GetResult(), resp.GetDetails().GetTotalResult()
	}
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
	return page, total, nil
}

func (v v1API) set(ctx context.Context, owner Owner, entries []KV) error {
	if owner.IsUser() {
		req := &management.BulkSetUserMetadataRequest{Id: owner.UserID, Metadata: make([]*management.BulkSetUserMetadataRequest_Metadata, 0, len(entries))}
		for _, e := range entries {
			req.Metadata = append(req.Metadata, &management.BulkSetUserMetadataRequest_Metadata{Key: e.Key, Value: e.Value})
		}
		return v.c.invoke(ctx, rpcBulkSetUserMetadata, owner, req, &management.BulkSetUserMetadataResponse{})
	}
	req := &management.BulkSetOrgMetadataRequest{Metadata: make([]*management.BulkSetOrgMetadataRequest_Metadata, 0, len(entries))}
	for _, e := range entries {
		req.Metadata = append(req.Metadata, &management.BulkSetOrgMetadataRequest_Metadata{Key: e.Key, Value: e.Value})
	}
	return v.c.invoke(ctx, rpcBulkSet, owner, req, &management.BulkSetOrgMetadataResponse{})
}

func (v v1API) remove(ctx context.Context, owner Owner, keys []string) error {
	if owner.IsUser() {
		req := &management.BulkRemoveUserMetadataRequest{Id: owner.UserID, Keys: keys}
		return v.c.invoke(ctx, rpcBulkRemoveUserMeta, owner, req, &management.BulkRemoveUserMetadataResponse{})
	}
	return v.c.invoke(ctx, rpcBulkRemove, owner, &management.BulkRemoveOrgMetadataRequest{Keys: keys}, &management.BulkRemoveOrgMetadataResponse{})
}
