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
// zitadel.management.v1.ManagementService plus GetMyOrg and RemoveOrg; every
// other call answers Unimplemented.
type managementServer struct {
	management.UnimplementedManagementServiceServer
	s *Server
}

// lockWritable is Server.lockWritable for the organization of the call.
func (m *managementServer) lockWritable(ctx context.Context) (*org, func(), error) {
	return m.s.lockWritable(orgFrom(ctx))
}

// lockMetadataWrite is Server.lockMetadataWrite for the organization of the
// call.
func (m *managementServer) lockMetadataWrite(ctx context.Context) (*org, func(), error) {
	return m.s.lockMetadataWrite(ctx, orgFrom(ctx))
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

func (m *managementServer) RemoveOrg(ctx context.Context, _ *management.RemoveOrgRequest) (*management.RemoveOrgResponse, error) {
	o, unlock, err := m.lockWritable(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := m.s.opts.Now()
	o.sequence++
	o.removed = true
	return &management.RemoveOrgResponse{Details: &object.ObjectDetails{Sequence: o.sequence, ChangeDate: ts(now), ResourceOwner: o.id}}, nil
}

func (m *managementServer) SetOrgMetadata(ctx context.Context, req *management.SetOrgMetadataRequest) (*management.SetOrgMetadataResponse, error) {
	if !validKey(req.GetKey()) {
		return nil, keyLengthError("SetOrgMetadataRequest.Key")
	}
	if !validValue(req.GetValue()) {
		return nil, validationError("invalid SetOrgMetadataRequest.Value: value length must be between 1 and 500000 bytes, inclusive")
	}
	o, unlock, err := m.lockMetadataWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := m.s.opts.Now()
	seq := o.set(req.GetKey(), req.GetValue(), now)
	return &management.SetOrgMetadataResponse{Details: &object.ObjectDetails{Sequence: seq, CreationDate: ts(now), ResourceOwner: o.id}}, nil
}

func (m *managementServer) BulkSetOrgMetadata(ctx context.Context, req *management.BulkSetOrgMetadataRequest) (*management.BulkSetOrgMetadataResponse, error) {
	entries := make([]kv, 0, len(req.GetMetadata()))
	for i, e := range req.GetMetadata() {
		cause := ""
		switch {
		case !validKey(e.GetKey()):
			cause = "invalid BulkSetOrgMetadataRequest_Metadata.Key: value length must be between 1 and 200 runes, inclusive"
		case !validValue(e.GetValue()):
			cause = "invalid BulkSetOrgMetadataRequest_Metadata.Value: value length must be between 1 and 500000 bytes, inclusive"
		}
		if cause != "" {
			return nil, validationError(fmt.Sprintf("invalid BulkSetOrgMetadataRequest.Metadata[%d]: embedded message failed validation | caused by: %s", i, cause))
		}
		entries = append(entries, kv{e.GetKey(), e.GetValue()})
	}
	w, err := m.s.setMetadataCommand(ctx, orgFrom(ctx), nil, entries)
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
	return &management.GetOrgMetadataResponse{Metadata: toProto(o, req.GetKey(), e)}, nil
}

func (m *managementServer) RemoveOrgMetadata(ctx context.Context, req *management.RemoveOrgMetadataRequest) (*management.RemoveOrgMetadataResponse, error) {
	if !validKey(req.GetKey()) {
		return nil, keyLengthError("RemoveOrgMetadataRequest.Key")
	}
	o, unlock, err := m.lockMetadataWrite(ctx)
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
	for i, k := range req.GetKeys() {
		if !validKey(k) {
			return nil, keyLengthError(fmt.Sprintf("BulkRemoveOrgMetadataRequest.Keys[%d]", i))
		}
	}
	w, err := m.s.removeMetadataCommand(ctx, orgFrom(ctx), nil, req.GetKeys())
	if err != nil {
		return nil, err
	}
	return &management.BulkRemoveOrgMetadataResponse{Details: writeDetails(w)}, nil
}

// validateQueries checks the search queries as the request validation of the
// real server does over gRPC, field by field in declaration order, and
// answers the first failure in its words.
func validateQueries(queries []*mdpb.MetadataQuery) error {
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
			return validationError(fmt.Sprintf("invalid ListOrgMetadataRequest.Queries[%d]: embedded message failed validation | caused by: %s", i, cause))
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
	if err := validateQueries(req.GetQueries()); err != nil {
		return nil, err
	}
	filters := make([]keyFilter, 0, len(req.GetQueries()))
	for _, q := range req.GetQueries() {
		filters = append(filters, keyFilter{q.GetKeyQuery().GetKey(), TextMethod(q.GetKeyQuery().GetMethod())})
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if req.GetQuery().GetOffset() == 0 {
		m.s.searches++
	}
	orgID := orgFrom(ctx)
	// v1 has no default and no maximum limit: limit 0 returns everything.
	keys, total := page(m.s.searchKeys(orgID, filters, m.s.listSeed), req.GetQuery().GetOffset(), req.GetQuery().GetLimit())
	result := make([]*mdpb.Metadata, 0, len(keys))
	o := m.s.orgs[orgID]
	for _, k := range keys {
		result = append(result, toProto(o, k, o.metadata[k]))
	}
	return &management.ListOrgMetadataResponse{
		Details: &object.ListDetails{TotalResult: total, ViewTimestamp: ts(m.s.opts.Now())},
		Result:  result,
	}, nil
}

func toProto(o *org, key string, e *entry) *mdpb.Metadata {
	return &mdpb.Metadata{
		Key:   key,
		Value: append([]byte(nil), e.value...),
		Details: &object.ObjectDetails{
			Sequence:      e.sequence,
			CreationDate:  ts(e.created),
			ChangeDate:    ts(e.changed),
			ResourceOwner: o.id,
		},
	}
}
