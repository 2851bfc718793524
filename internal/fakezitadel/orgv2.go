package fakezitadel

import (
	"context"
	"fmt"
	"unicode/utf8"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
)

// orgServer implements the organization metadata calls of
// zitadel.org.v2.OrganizationService, and ListOrganizations by id and name
// (see orgv2_orgs.go), over the same store, commands, hooks and counters as
// the management API v1 (contract section 2); every other call answers
// Unimplemented. The organization is named in each request and the
// permission is checked inside the call: the interceptor only authenticates
// and leaves the caller in the context.
type orgServer struct {
	orgv2.UnimplementedOrganizationServiceServer
	s *Server
}

// Paging of the v2 metadata lists (contract sections 2 and 4): 100 rows by
// default, 1000 at most.
const (
	defaultListLimit = 100
	maxListLimit     = 1000
)

func (v *orgServer) SetOrganizationMetadata(ctx context.Context, req *orgv2.SetOrganizationMetadataRequest) (*orgv2.SetOrganizationMetadataResponse, error) {
	const request = "SetOrganizationMetadataRequest"
	orgID := req.GetOrganizationId()
	if err := validateID(request, "OrganizationId", orgID); err != nil {
		return nil, err
	}
	entries, err := metadataEntries(request, req.GetMetadata(), true)
	if err != nil {
		return nil, err
	}
	w, err := v.s.setMetadataCommand(ctx, v.s.orgTarget(orgID, writeCheckV2(userFrom(ctx), writeRoles)), entries)
	if err != nil {
		return nil, err
	}
	return &orgv2.SetOrganizationMetadataResponse{SetDate: v.s.eventDate(w)}, nil
}

func (v *orgServer) DeleteOrganizationMetadata(ctx context.Context, req *orgv2.DeleteOrganizationMetadataRequest) (*orgv2.DeleteOrganizationMetadataResponse, error) {
	const request = "DeleteOrganizationMetadataRequest"
	orgID := req.GetOrganizationId()
	if err := validateID(request, "OrganizationId", orgID); err != nil {
		return nil, err
	}
	if err := validateKeys(request, req.GetKeys()); err != nil {
		return nil, err
	}
	w, err := v.s.removeMetadataCommand(ctx, v.s.orgTarget(orgID, writeCheckV2(userFrom(ctx), writeRoles)), req.GetKeys())
	if err != nil {
		return nil, err
	}
	return &orgv2.DeleteOrganizationMetadataResponse{DeletionDate: v.s.eventDate(w)}, nil
}

// ListOrganizationMetadata searches like v1 ListOrgMetadata (same filters,
// order, Options.ShuffleLists and total_result rule) with v2's paging, and
// applies the permission as a filter: a caller who may not read the
// organization, and a missing or removed organization, get OK with an empty
// list and total 0. A call at offset 0 counts as a search in Searches(), as
// a v1 one does.
func (v *orgServer) ListOrganizationMetadata(ctx context.Context, req *orgv2.ListOrganizationMetadataRequest) (*orgv2.ListOrganizationMetadataResponse, error) {
	const request = "ListOrganizationMetadataRequest"
	orgID := req.GetOrganizationId()
	if err := validateID(request, "OrganizationId", orgID); err != nil {
		return nil, err
	}
	u := userFrom(ctx)
	pagination, result, err := v.s.listV2(request, req.Pagination, 0, req.GetFilters(), func() (*metadataOwner, bool) {
		if !hasAny(rolesIn(u, orgID), readRolesAll()) {
			return nil, false
		}
		return v.s.liveOrg(orgID), true
	})
	if err != nil {
		return nil, err
	}
	return &orgv2.ListOrganizationMetadataResponse{Pagination: pagination, Metadata: result}, nil
}

// listV2 is the search of v2 ListOrganizationMetadata and ListUserMetadata:
// v1's filters, order and total_result rule with v2's paging (v2Limit). find
// returns, under the store lock, the owner (nil answers an empty list with
// total 0) and whether the caller may read its metadata: when not, the list
// is empty but total_result still counts the matches, as the user service
// does (contract section 4). A call at offset 0 counts as a search in
// Searches().
func (s *Server) listV2(request string, p *filterv2.PaginationRequest, unpaged uint64, searchFilters []*mdv2.MetadataSearchFilter, find func() (*metadataOwner, bool)) (*filterv2.PaginationResponse, []*mdv2.Metadata, error) {
	filters, err := v2KeyFilters(request, searchFilters)
	if err != nil {
		return nil, nil, err
	}
	limit, applied, err := v2Limit(p, unpaged)
	if err != nil {
		return nil, nil, err
	}
	offset := p.GetOffset()

	s.mu.Lock()
	defer s.mu.Unlock()
	if offset == 0 {
		s.searches++
	}
	o, readable := find()
	keys, total := page(s.searchKeys(o, filters), offset, limit)
	if !readable {
		keys = nil
	}
	result := make([]*mdv2.Metadata, 0, len(keys))
	for _, k := range keys {
		e := o.metadata[k]
		result = append(result, &mdv2.Metadata{
			Key:          k,
			Value:        append([]byte(nil), e.value...),
			CreationDate: ts(e.created),
			ChangeDate:   ts(e.changed),
		})
	}
	return &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: applied}, result, nil
}

// v2Limit returns the limit a v2 list applies and the applied_limit it
// reports. Without pagination the real server returns at most 100 rows and
// reports unpaged as applied_limit: 0 for organizations (contract section
// 2), 100 for users (section 4).
// With a pagination whose limit is 0 the fake applies the same default of
// 100 and reports it as applied_limit 100: the contract gives 100 as the
// default and shows the v2 user metadata list reporting its default so
// (section 4). Above maxListLimit the call fails with QUERY-4M0fs.
func v2Limit(p *filterv2.PaginationRequest, unpaged uint64) (limit uint32, applied uint64, err error) {
	switch {
	case p == nil:
		return defaultListLimit, unpaged, nil
	case p.GetLimit() == 0:
		return defaultListLimit, defaultListLimit, nil
	case p.GetLimit() > maxListLimit:
		return 0, 0, errLimitExceeded
	}
	return p.GetLimit(), uint64(p.GetLimit()), nil
}

// v2KeyFilters checks the search filters of a v2 request (e.g.
// "ListOrganizationMetadataRequest") as the real server's request
// validation does, in its words, and converts them for searchKeys. The text
// methods of zitadel.filter.v2 have v1's numbers, so matchKey applies them
// unchanged.
func v2KeyFilters(request string, filters []*mdv2.MetadataSearchFilter) ([]keyFilter, error) {
	out := make([]keyFilter, 0, len(filters))
	for i, f := range filters {
		cause := ""
		kf := f.GetKeyFilter()
		switch {
		case kf == nil:
			cause = "invalid MetadataSearchFilter.Filter: value is required"
		case utf8.RuneCountInString(kf.GetKey()) > maxKeyRunes:
			cause = "invalid MetadataSearchFilter.KeyFilter: embedded message failed validation | caused by: invalid MetadataKeyFilter.Key: value length must be at most 200 runes"
		case filterv2.TextFilterMethod_name[int32(kf.GetMethod())] == "":
			cause = "invalid MetadataSearchFilter.KeyFilter: embedded message failed validation | caused by: invalid MetadataKeyFilter.Method: value must be one of the defined enum values"
		}
		if cause != "" {
			return nil, validationError(fmt.Sprintf("invalid %s.Filters[%d]: embedded message failed validation | caused by: %s", request, i, cause))
		}
		out = append(out, keyFilter{kf.GetKey(), TextMethod(kf.GetMethod())})
	}
	return out, nil
}
