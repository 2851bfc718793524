package zitadel

import (
	"context"
	"net/http"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
)

// v1API is the management API v1 (contract section 1): the organization
// travels in the x-zitadel-orgid header, "" meaning the caller's own.
type v1API struct{ c *Client }

var mgmtService = management.ManagementService_ServiceDesc.ServiceName

var (
	rpcGetMyOrg = rpc{api: APIV1, service: mgmtService, method: "GetMyOrg", read: true,
		rest: route{verb: http.MethodGet, path: "/management/v1/orgs/me"}}
	rpcListOrgMetadata = rpc{api: APIV1, service: mgmtService, method: "ListOrgMetadata", read: true,
		rest: route{verb: http.MethodPost, path: "/management/v1/metadata/_search"}}
	rpcBulkSet = rpc{api: APIV1, service: mgmtService, method: "BulkSetOrgMetadata",
		rest: route{verb: http.MethodPost, path: "/management/v1/metadata/_bulk"}}
	rpcBulkRemove = rpc{api: APIV1, service: mgmtService, method: "BulkRemoveOrgMetadata",
		rest: route{verb: http.MethodDelete, path: "/management/v1/metadata/_bulk"}}
)

func (v1API) version() string { return APIV1 }

func (v1API) writes() (set, remove rpc) { return rpcBulkSet, rpcBulkRemove }

func (v v1API) getOrg(ctx context.Context, orgID string) (Org, error) {
	resp := &management.GetMyOrgResponse{}
	if err := v.c.invoke(ctx, rpcGetMyOrg, orgID, &management.GetMyOrgRequest{}, resp); err != nil {
		return Org{}, err
	}
	o := resp.GetOrg()
	return Org{ID: o.GetId(), Name: o.GetName(), State: OrgState(o.GetState())}, nil
}

func (v v1API) listPage(ctx context.Context, orgID string, filters []KeyFilter, offset uint64, limit int) ([]Entry, uint64, error) {
	req := &management.ListOrgMetadataRequest{
		Query:   &object.ListQuery{Offset: offset, Limit: uint32(limit)},
		Queries: make([]*mdpb.MetadataQuery, 0, len(filters)),
	}
	for _, f := range filters {
		req.Queries = append(req.Queries, &mdpb.MetadataQuery{Query: &mdpb.MetadataQuery_KeyQuery{
			KeyQuery: &mdpb.MetadataKeyQuery{Key: f.Key, Method: object.TextQueryMethod(f.Method)},
		}})
	}
	resp := &management.ListOrgMetadataResponse{}
	if err := v.c.invoke(ctx, rpcListOrgMetadata, orgID, req, resp); err != nil {
		return nil, 0, err
	}
	page := make([]Entry, 0, len(resp.GetResult()))
	for _, m := range resp.GetResult() {
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
	return page, resp.GetDetails().GetTotalResult(), nil
}

func (v v1API) set(ctx context.Context, orgID string, entries []KV) error {
	req := &management.BulkSetOrgMetadataRequest{Metadata: make([]*management.BulkSetOrgMetadataRequest_Metadata, 0, len(entries))}
	for _, e := range entries {
		req.Metadata = append(req.Metadata, &management.BulkSetOrgMetadataRequest_Metadata{Key: e.Key, Value: e.Value})
	}
	return v.c.invoke(ctx, rpcBulkSet, orgID, req, &management.BulkSetOrgMetadataResponse{})
}

func (v v1API) remove(ctx context.Context, orgID string, keys []string) error {
	return v.c.invoke(ctx, rpcBulkRemove, orgID, &management.BulkRemoveOrgMetadataRequest{Keys: keys}, &management.BulkRemoveOrgMetadataResponse{})
}
