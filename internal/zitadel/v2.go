package zitadel

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
)

// v2API is the organization service v2 (contract section 2): every request
// names its organization, and permissions are checked inside the call. A
// search by a caller who may not read the organization, and a search of an
// organization that does not exist, answer OK with an empty list: getOrg
// is how the engine's callers tell those apart from "no keys".
type v2API struct{ c *Client }

var orgService = orgv2.OrganizationService_ServiceDesc.ServiceName

var (
	rpcListOrganizations = rpc{api: APIV2, service: orgService, method: "ListOrganizations", read: true, orgInRequest: true,
		rest: route{verb: http.MethodPost, path: "/v2/organizations/_search"}}
	rpcListOrganizationMetadata = rpc{api: APIV2, service: orgService, method: "ListOrganizationMetadata", read: true, orgInRequest: true,
		rest: route{verb: http.MethodPost, path: "/v2/organizations/{organization_id}/metadata/search"}}
	rpcSetOrganizationMetadata = rpc{api: APIV2, service: orgService, method: "SetOrganizationMetadata", orgInRequest: true,
		rest: route{verb: http.MethodPost, path: "/v2/organizations/{organization_id}/metadata"}}
	// The keys of a REST delete travel as query parameters: a JSON body is
	// ignored (contract section 2).
	rpcDeleteOrgMetadata = rpc{api: APIV2, service: orgService, method: "DeleteOrganizationMetadata", orgInRequest: true,
		rest: route{verb: http.MethodDelete, path: "/v2/organizations/{organization_id}/metadata", query: "keys"}}
)

func (v2API) version() string { return APIV2 }

func (v2API) writes() (set, remove rpc) { return rpcSetOrganizationMetadata, rpcDeleteOrgMetadata }

// getOrg searches the organizations by id (contract section 2, "How to
// confirm on v2"): total 0 means gone for every caller; total 1 without a
// result means the organization exists but the caller may not see it;
// a result tells its state. v2 cannot name the caller's own organization.
func (v v2API) getOrg(ctx context.Context, orgID string) (Org, error) {
	if orgID == "" {
		return Org{}, &Error{Method: "ListOrganizations", API: APIV2, Kind: KindOrgRequired, Concluded: true,
			Message: "the organization service v2 names the organization in every call and cannot tell the caller's own organization"}
	}
	req := &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: orgID}}}}}
	resp := &orgv2.ListOrganizationsResponse{}
	if err := v.c.invoke(ctx, rpcListOrganizations, orgID, req, resp); err != nil {
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

func (v v2API) listPage(ctx context.Context, orgID string, filters []KeyFilter, offset uint64, limit int) ([]Entry, uint64, error) {
	if orgID == "" {
		_, err := v.getOrg(ctx, "")
		return nil, 0, err
	}
	req := &orgv2.ListOrganizationMetadataRequest{
		OrganizationId: orgID,
		Pagination:     &filterv2.PaginationRequest{Offset: offset, Limit: uint32(min(limit, MaxPageSize)), Asc: true},
		Filters:        make([]*mdv2.MetadataSearchFilter, 0, len(filters)),
	}
	for _, f := range filters {
		req.Filters = append(req.Filters, &mdv2.MetadataSearchFilter{Filter: &mdv2.MetadataSearchFilter_KeyFilter{
			KeyFilter: &mdv2.MetadataKeyFilter{Key: f.Key, Method: filterv2.TextFilterMethod(f.Method)},
		}})
	}
	resp := &orgv2.ListOrganizationMetadataResponse{}
	if err := v.c.invoke(ctx, rpcListOrganizationMetadata, orgID, req, resp); err != nil {
		return nil, 0, err
	}
	page := make([]Entry, 0, len(resp.GetMetadata()))
	for _, m := range resp.GetMetadata() {
		e := Entry{Key: m.GetKey(), Value: m.GetValue()}
		if m.GetCreationDate() != nil {
			e.CreationDate = m.GetCreationDate().AsTime()
		}
		if m.GetChangeDate() != nil {
			e.ChangeDate = m.GetChangeDate().AsTime()
		}
		page = append(page, e)
	}
	return page, resp.GetPagination().GetTotalResult(), nil
}

// set never sends an empty value: v2 would delete the key instead of
// refusing the value as v1 does.
func (v v2API) set(ctx context.Context, orgID string, entries []KV) error {
	if orgID == "" {
		_, err := v.getOrg(ctx, "")
		return err
	}
	req := &orgv2.SetOrganizationMetadataRequest{OrganizationId: orgID, Metadata: make([]*orgv2.Metadata, 0, len(entries))}
	for _, e := range entries {
		if len(e.Value) == 0 {
			return &Error{Method: "SetOrganizationMetadata", OrgID: orgID, API: APIV2, Code: codes.InvalidArgument, Kind: KindInvalidInput, Concluded: true,
				Message: fmt.Sprintf("the value of key %q is empty, which the organization service v2 would take as \"delete the key\"; values need 1 to 500000 bytes", e.Key)}
		}
		req.Metadata = append(req.Metadata, &orgv2.Metadata{Key: e.Key, Value: e.Value})
	}
	return v.c.invoke(ctx, rpcSetOrganizationMetadata, orgID, req, &orgv2.SetOrganizationMetadataResponse{})
}

func (v v2API) remove(ctx context.Context, orgID string, keys []string) error {
	if orgID == "" {
		_, err := v.getOrg(ctx, "")
		return err
	}
	req := &orgv2.DeleteOrganizationMetadataRequest{OrganizationId: orgID, Keys: keys}
	err := v.c.invoke(ctx, rpcDeleteOrgMetadata, orgID, req, &orgv2.DeleteOrganizationMetadataResponse{})
	// The contract gives v2's answer to a missing key as v1's NotFound but
	// not its id: a NotFound without an id that is not about the
	// membership counts as a missing key, which the engine then looks up.
	var e *Error
	if errors.As(err, &e) && e.Code == codes.NotFound && e.Kind == KindOther && e.ID == "" {
		e.Kind = KindKeysMissing
	}
	return err
}
