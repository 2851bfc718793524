package fakezitadel

import (
	"context"
	"fmt"
	"unicode/utf8"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// orgServer implements the organization metadata calls of
// zitadel.org.v2.OrganizationService, and ListOrganizations by id (see
// orgv2_orgs.go), over the same store, commands, hooks and counters as the
// management API v1 (contract section 2); every other call answers
// Unimplemented. The organization is named in each request and the
// permission is checked inside the call: the interceptor only authenticates
// and leaves the caller in the context.
type orgServer struct {
	orgv2.UnimplementedOrganizationServiceServer
	s *Server
}

// Paging of ListOrganizationMetadata (contract section 2): 100 rows by
// default, 1000 at most.
const (
	defaultListLimit = 100
	maxListLimit     = 1000
)

func (v *orgServer) SetOrganizationMetadata(ctx context.Context, req *orgv2.SetOrganizationMetadataRequest) (*orgv2.SetOrganizationMetadataResponse, error) {
	orgID := req.GetOrganizationId()
	if !validKey(orgID) {
		return nil, keyLengthError("SetOrganizationMetadataRequest.OrganizationId")
	}
	entries := make([]kv, 0, len(req.GetMetadata()))
	for i, e := range req.GetMetadata() {
		cause := ""
		switch {
		case !validKey(e.GetKey()):
			cause = "invalid Metadata.Key: value length must be between 1 and 200 runes, inclusive"
		case len(e.GetValue()) > maxValueSize:
			// No minimum: an empty value deletes the key.
			cause = "invalid Metadata.Value: value length must be at most 500000 bytes"
		}
		if cause != "" {
			return nil, validationError(fmt.Sprintf("invalid SetOrganizationMetadataRequest.Metadata[%d]: embedded message failed validation | caused by: %s", i, cause))
		}
		entries = append(entries, kv{e.GetKey(), e.GetValue()})
	}
	u := userFrom(ctx)
	w, err := v.s.setMetadataCommand(ctx, orgID, func() error { return checkWriteV2(u, orgID) }, entries)
	if err != nil {
		return nil, err
	}
	return &orgv2.SetOrganizationMetadataResponse{SetDate: v.eventDate(w)}, nil
}

func (v *orgServer) DeleteOrganizationMetadata(ctx context.Context, req *orgv2.DeleteOrganizationMetadataRequest) (*orgv2.DeleteOrganizationMetadataResponse, error) {
	orgID := req.GetOrganizationId()
	if !validKey(orgID) {
		return nil, keyLengthError("DeleteOrganizationMetadataRequest.OrganizationId")
	}
	for i, k := range req.GetKeys() {
		if !validKey(k) {
			return nil, keyLengthError(fmt.Sprintf("DeleteOrganizationMetadataRequest.Keys[%d]", i))
		}
	}
	u := userFrom(ctx)
	w, err := v.s.removeMetadataCommand(ctx, orgID, func() error { return checkWriteV2(u, orgID) }, req.GetKeys())
	if err != nil {
		return nil, err
	}
	return &orgv2.DeleteOrganizationMetadataResponse{DeletionDate: v.eventDate(w)}, nil
}

// eventDate is the date v2 writes answer: that of the organization's newest
// metadata event, which a Set that changed nothing reports too. An
// organization that never had one (a Set that only deleted absent keys)
// answers the time of the call rather than no date.
func (v *orgServer) eventDate(w written) *timestamppb.Timestamp {
	if w.at.IsZero() {
		return timestamppb.New(v.s.opts.Now())
	}
	return timestamppb.New(w.at)
}

// ListOrganizationMetadata searches like v1 ListOrgMetadata (same filters,
// order, Options.ShuffleLists and total_result rule) with v2's paging, and
// applies the permission as a filter: a caller who may not read the
// organization, and a missing or removed organization, get OK with an empty
// list and total 0. A call at offset 0 counts as a search in Searches(), as
// a v1 one does.
func (v *orgServer) ListOrganizationMetadata(ctx context.Context, req *orgv2.ListOrganizationMetadataRequest) (*orgv2.ListOrganizationMetadataResponse, error) {
	orgID := req.GetOrganizationId()
	if !validKey(orgID) {
		return nil, keyLengthError("ListOrganizationMetadataRequest.OrganizationId")
	}
	filters, err := v2KeyFilters(req.GetFilters())
	if err != nil {
		return nil, err
	}
	limit, applied, err := v2Limit(req.Pagination)
	if err != nil {
		return nil, err
	}
	offset := req.GetPagination().GetOffset()
	u := userFrom(ctx)

	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	if offset == 0 {
		v.s.searches++
	}
	var matched []string
	if hasAny(rolesIn(u, orgID), readRolesAll()) {
		matched = v.s.searchKeys(orgID, filters, v.s.listSeed)
	}
	keys, total := page(matched, offset, limit)
	result := make([]*mdv2.Metadata, 0, len(keys))
	o := v.s.orgs[orgID]
	for _, k := range keys {
		e := o.metadata[k]
		result = append(result, &mdv2.Metadata{
			Key:          k,
			Value:        append([]byte(nil), e.value...),
			CreationDate: ts(e.created),
			ChangeDate:   ts(e.changed),
		})
	}
	return &orgv2.ListOrganizationMetadataResponse{
		Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: applied},
		Metadata:   result,
	}, nil
}

// v2Limit returns the limit a v2 list applies and the applied_limit it
// reports. Without pagination the real server returns at most 100 rows and
// reports applied_limit 0 (checked on a real server, contract section 2).
// With a pagination whose limit is 0 the fake applies the same default of
// 100 and reports it as applied_limit 100: the contract gives 100 as the
// default and shows the v2 user metadata list reporting its default so
// (section 4). Above maxListLimit the call fails with QUERY-4M0fs.
func v2Limit(p *filterv2.PaginationRequest) (limit uint32, applied uint64, err error) {
	switch {
	case p == nil:
		return defaultListLimit, 0, nil
	case p.GetLimit() == 0:
		return defaultListLimit, defaultListLimit, nil
	case p.GetLimit() > maxListLimit:
		return 0, 0, errLimitExceeded
	}
	return p.GetLimit(), uint64(p.GetLimit()), nil
}

// v2KeyFilters checks the search filters as the real server's request
// validation does, in its words, and converts them for searchKeys. The text
// methods of zitadel.filter.v2 have v1's numbers, so matchKey applies them
// unchanged.
func v2KeyFilters(filters []*mdv2.MetadataSearchFilter) ([]keyFilter, error) {
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
			return nil, validationError(fmt.Sprintf("invalid ListOrganizationMetadataRequest.Filters[%d]: embedded message failed validation | caused by: %s", i, cause))
		}
		out = append(out, keyFilter{kf.GetKey(), TextMethod(kf.GetMethod())})
	}
	return out, nil
}
