package fakezitadel

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// managementServer implements the organization metadata calls of
// zitadel.management.v1.ManagementService plus GetMyOrg and RemoveOrg, the
// user calls of userv1.go and the administration calls of admin.go; every
// other call answers Unimplemented.
type managementServer struct {
	management.UnimplementedManagementServiceServer
	s *Server
}

// orgTarget is the organization of the call, as a metadata command's
// target.
func (m *managementServer) orgTarget(ctx context.Context) metadataTarget {
	return m.s.orgTarget(orgFrom(ctx), nil)
}

// writeDetails are the details of BulkSet, Remove and BulkRemove: the
// organization's newest metadata event.
func writeDetails(w written) *object.ObjectDetails {
	return &object.ObjectDetails{
		Sequence:      w.sequence,
		ChangeDate:    ts(w.at),
		ResourceOwner: w.owner,
	}
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func (m *managementServer) GetMyOrg(ctx context.Context, _ *management.GetMyOrgRequest) (*management.GetMyOrgResponse, error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	o := m.s.orgs[orgFrom(ctx)]
	state := orgpb.OrgState_ORG_STATE_ACTIVE
	if o.removed {
		state = orgpb.OrgState_ORG_STATE_UNSPECIFIED
	}
	return &management.GetMyOrgResponse{Org: &orgpb.Org{
		Id:            o.id,
		Details:       &object.ObjectDetails{Sequence: o.sequence, CreationDate: ts(o.created), ChangeDate: ts(o.created), ResourceOwner: o.id},
		State:         state,
		Name:          o.name,
		PrimaryDomain: o.name + ".localhost",
	}}, nil
}

// RemoveOrg removes the organization of the call (see removeOrg); a removed
// one is NotFound (COMMA-aps2n), as ZITADEL's command answers.
func (m *managementServer) RemoveOrg(ctx context.Context, _ *management.RemoveOrgRequest) (*management.RemoveOrgResponse, error) {
	m.s.mu.Lock()
	removed := m.s.orgs[orgFrom(ctx)].removed
	m.s.mu.Unlock()
	if removed {
		return nil, errRemoveOrgNotFound
	}
	o, unlock, err := m.s.lockWritable(m.orgTarget(ctx))
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := m.s.opts.Now()
	m.s.removeOrg(m.s.orgs[o.id])
	return &management.RemoveOrgResponse{Details: &object.ObjectDetails{Sequence: o.sequence, ChangeDate: ts(now), ResourceOwner: o.id}}, nil
}

func (m *managementServer) SetOrgMetadata(ctx context.Context, req *management.SetOrgMetadataRequest) (*management.SetOrgMetadataResponse, error) {
	if !validKey(req.GetKey()) {
		return nil, keyLengthError("SetOrgMetadataRequest.Key")
	}
	if !validValue(req.GetValue()) {
		return nil, validationError("invalid SetOrgMetadataRequest.Value: value length must be between 1 and 500000 bytes, inclusive")
	}
	o, unlock, err := m.s.lockMetadataWrite(ctx, m.orgTarget(ctx))
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := m.s.opts.Now()
	seq := o.set(req.GetKey(), req.GetValue(), now)
	return &management.SetOrgMetadataResponse{Details: &object.ObjectDetails{Sequence: seq, CreationDate: ts(now), ResourceOwner: o.id}}, nil
}

func (m *managementServer) BulkSetOrgMetadata(ctx context.Context, req *management.BulkSetOrgMetadataRequest) (*management.BulkSetOrgMetadataResponse, error) {
	entries, err := metadataEntries("BulkSetOrgMetadataRequest", req.GetMetadata(), false)
	if err != nil {
		return nil, err
	}
	w, err := m.s.setMetadataCommand(ctx, m.orgTarget(ctx), entries)
	if err != nil {
		return nil, err
	}
	return &management.BulkSetOrgMetadataResponse{Details: writeDetails(w)}, nil
}

func (m *managementServer) GetOrgMetadata(ctx context.Context, req *management.GetOrgMetadataRequest) (*management.GetOrgMetadataResponse, error) {
	if !validKey(req.GetKey()) {
		return nil, keyLengthError("GetOrgMetadataRequest.Key")
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	o := m.s.orgs[orgFrom(ctx)]
	e, ok := o.metadata[req.GetKey()]
	if !ok || o.removed {
		return nil, errMetadataNotFoundQuery
	}
	return &management.GetOrgMetadataResponse{Metadata: toProto(&o.metadataOwner, req.GetKey(), e)}, nil
}

func (m *managementServer) RemoveOrgMetadata(ctx context.Context, req *management.RemoveOrgMetadataRequest) (*management.RemoveOrgMetadataResponse, error) {
	if !validKey(req.GetKey()) {
		return nil, keyLengthError("RemoveOrgMetadataRequest.Key")
	}
	o, unlock, err := m.s.lockMetadataWrite(ctx, m.orgTarget(ctx))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, ok := o.metadata[req.GetKey()]; !ok {
		return nil, errMetadataNotFoundCmd
	}
	o.remove(req.GetKey(), m.s.opts.Now())
	return &management.RemoveOrgMetadataResponse{Details: writeDetails(writtenOf(o))}, nil
}

func (m *managementServer) BulkRemoveOrgMetadata(ctx context.Context, req *management.BulkRemoveOrgMetadataRequest) (*management.BulkRemoveOrgMetadataResponse, error) {
	if err := validateKeys("BulkRemoveOrgMetadataRequest", req.GetKeys()); err != nil {
		return nil, err
	}
	w, err := m.s.removeMetadataCommand(ctx, m.orgTarget(ctx), req.GetKeys())
	if err != nil {
		return nil, err
	}
	return &management.BulkRemoveOrgMetadataResponse{Details: writeDetails(w)}, nil
}

// validateQueries checks the search queries of a v1 request (e.g.
// "ListOrgMetadataRequest") as the request validation of the real server
// does over gRPC, field by field in declaration order, and answers the first
// failure in its words.
func validateQueries(request string, queries []*mdpb.MetadataQuery) error {
	for i, q := range queries {
		cause := ""
		kq := q.GetKeyQuery()
		switch {
		case kq == nil:
			cause = "invalid MetadataQuery.Query: value is required"
		case utf8.RuneCountInString(kq.GetKey()) > maxKeyRunes:
			cause = "invalid MetadataQuery.KeyQuery: embedded message failed validation | caused by: invalid MetadataKeyQuery.Key: value length must be at most 200 runes"
		case !knownTextMethod(kq.GetMethod()):
			cause = "invalid MetadataQuery.KeyQuery: embedded message failed validation | caused by: invalid MetadataKeyQuery.Method: value must be one of the defined enum values"
		}
		if cause != "" {
			return validationError(fmt.Sprintf("invalid %s.Queries[%d]: embedded message failed validation | caused by: %s", request, i, cause))
		}
	}
	return nil
}

// knownTextMethod tells whether a method number is in the enum; protobuf
// keeps unknown numbers, so only this check stops them over gRPC.
func knownTextMethod(method object.TextQueryMethod) bool {
	_, ok := object.TextQueryMethod_name[int32(method)]
	return ok
}

func (m *managementServer) ListOrgMetadata(ctx context.Context, req *management.ListOrgMetadataRequest) (*management.ListOrgMetadataResponse, error) {
	orgID := orgFrom(ctx)
	details, result, err := m.s.listV1("ListOrgMetadataRequest", req.GetQuery(), req.GetQueries(), func() *metadataOwner { return m.s.liveOrg(orgID) })
	if err != nil {
		return nil, err
	}
	return &management.ListOrgMetadataResponse{Details: details, Result: result}, nil
}

// listV1 is the search of v1 ListOrgMetadata and ListUserMetadata over the
// owner find returns (under the store lock; nil answers an empty list):
// queries validated as validateQueries says, ANDed; no default and no
// maximum limit (limit 0 returns everything); total_result as page says. A
// call at offset 0 counts as a search in Searches().
func (s *Server) listV1(request string, query *object.ListQuery, queries []*mdpb.MetadataQuery, find func() *metadataOwner) (*object.ListDetails, []*mdpb.Metadata, error) {
	if err := validateQueries(request, queries); err != nil {
		return nil, nil, err
	}
	filters := make([]keyFilter, 0, len(queries))
	for _, q := range queries {
		filters = append(filters, keyFilter{q.GetKeyQuery().GetKey(), TextMethod(q.GetKeyQuery().GetMethod())})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if query.GetOffset() == 0 {
		s.searches++
	}
	o := find()
	keys, total := page(s.searchKeys(o, filters), query.GetOffset(), query.GetLimit())
	result := make([]*mdpb.Metadata, 0, len(keys))
	for _, k := range keys {
		result = append(result, toProto(o, k, o.metadata[k]))
	}
	return &object.ListDetails{TotalResult: total, ViewTimestamp: ts(s.opts.Now())}, result, nil
}

func toProto(o *metadataOwner, key string, e *entry) *mdpb.Metadata {
	return &mdpb.Metadata{
		Key:   key,
		Value: append([]byte(nil), e.value...),
		Details: &object.ObjectDetails{
			Sequence:      e.sequence,
			CreationDate:  ts(e.created),
			ChangeDate:    ts(e.changed),
			ResourceOwner: o.resourceOwner,
		},
	}
}
