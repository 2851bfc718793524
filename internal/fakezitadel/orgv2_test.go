package fakezitadel_test

// Contract tests for the organization service v2 writes (contract section 2):
// SetOrganizationMetadata and DeleteOrganizationMetadata run the same
// commands as v1 BulkSet and BulkRemove over the same store, name the
// organization in the request and check permissions inside the call.

import (
	"strings"
	"testing"

	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// v2env is env plus a client of the organization service v2 and a caller
// with the instance role IAM_OWNER.
type v2env struct {
	*env
	oc       orgv2.OrganizationServiceClient
	iamToken string
}

func startV2(t *testing.T, opts fakezitadel.Options) *v2env {
	t.Helper()
	e := start(t, opts)
	iam := e.srv.AddUser(e.fx.OutsiderOrgID)
	e.srv.Grant(iam, "", "IAM_OWNER")
	return &v2env{env: e, oc: orgv2.NewOrganizationServiceClient(dial(t, e)), iamToken: e.srv.AddToken(iam)}
}

// dial opens a plaintext connection to the fake for one test.
func dial(t *testing.T, e *env) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+e.srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func setReq(org string, kvs ...string) *orgv2.SetOrganizationMetadataRequest {
	return &orgv2.SetOrganizationMetadataRequest{OrganizationId: org, Metadata: items(func(k string, v []byte) *orgv2.Metadata {
		return &orgv2.Metadata{Key: k, Value: v}
	}, kvs...)}
}

func delReq(org string, keys ...string) *orgv2.DeleteOrganizationMetadataRequest {
	return &orgv2.DeleteOrganizationMetadataRequest{OrganizationId: org, Keys: keys}
}

// TestV2SetMetadata: the v1 BulkSet command (in order, unchanged entries
// skipped, one event per write) plus deletion by an empty value. The
// x-zitadel-orgid header plays no part: one naming an organization that does
// not exist must not fail the call.
func TestV2SetMetadata(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	org := e.fx.OrgID
	ctx := as(e.fx.OwnerToken, "123")
	seq := func() uint64 { return e.srv.Sequence(org) }
	before := seq()
	resp, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "a", "1", "b", "2"))
	if err != nil || resp.GetSetDate() == nil {
		t.Fatalf("set: %v, set_date %v", err, resp.GetSetDate())
	}
	if md := e.srv.Metadata(org); string(md["a"]) != "1" || string(md["b"]) != "2" || seq() != before+2 {
		t.Fatalf("metadata %v after %d events, want a=1 b=2 after 2", md, seq()-before)
	}
	// Unchanged entries write nothing and report the last event's date.
	again, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "a", "1", "b", "2"))
	if err != nil || seq() != before+2 || !again.GetSetDate().AsTime().Equal(resp.GetSetDate().AsTime()) {
		t.Fatalf("unchanged set: %v, %d events, date %v want %v", err, seq()-before, again.GetSetDate(), resp.GetSetDate())
	}
	e.srv.SetMetadata(org, "k", []byte("second"))
	before = seq()
	if _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "k", "second", "k", "third", "k", "second")); err != nil {
		t.Fatal(err)
	}
	if got := string(e.srv.Metadata(org)["k"]); got != "third" || seq() != before+1 {
		t.Fatalf("got %q after %d events, want third after 1", got, seq()-before)
	}
	// An empty value deletes the key, and is a no-op for an absent one.
	before = seq()
	if _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "a", "", "never", "")); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.srv.Metadata(org)["a"]; ok || seq() != before+1 {
		t.Fatalf("keys %v after %d events, want a deleted with 1", e.srv.Keys(org), seq()-before)
	}
	_, err = e.oc.SetOrganizationMetadata(ctx, setReq(org))
	wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
	// The same store as v1: the second organization, written over v2, is
	// what v1 lists under its header.
	if _, err := e.oc.SetOrganizationMetadata(ctx, setReq(e.fx.SecondOrgID, "s", "v")); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Keys(e.fx.SecondOrgID); len(got) != 1 || got[0] != "s" {
		t.Fatalf("second org keys %v", got)
	}
}

func TestV2SetValidation(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	ctx, org := as(e.fx.OwnerToken, ""), e.fx.OrgID
	_, err := e.oc.SetOrganizationMetadata(ctx, setReq("", "k", "v"))
	wantErr(t, err, codes.InvalidArgument, "invalid SetOrganizationMetadataRequest.OrganizationId: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.oc.SetOrganizationMetadata(ctx, setReq(org, "ok", "v", strings.Repeat("a", 201), "v"))
	wantErr(t, err, codes.InvalidArgument, "invalid SetOrganizationMetadataRequest.Metadata[1]: embedded message failed validation | caused by: invalid Metadata.Key: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.oc.SetOrganizationMetadata(ctx, setReq(org, "", "v"))
	wantErr(t, err, codes.InvalidArgument, "invalid SetOrganizationMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid Metadata.Key: value length must be between 1 and 200 runes, inclusive", "")
	big := &orgv2.SetOrganizationMetadataRequest{OrganizationId: org, Metadata: []*orgv2.Metadata{{Key: "big", Value: make([]byte, 500001)}}}
	_, err = e.oc.SetOrganizationMetadata(ctx, big)
	wantErr(t, err, codes.InvalidArgument, "invalid SetOrganizationMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid Metadata.Value: value length must be at most 500000 bytes", "")
	if len(e.srv.Metadata(org)) != 0 {
		t.Fatal("a rejected request wrote")
	}
	big.Metadata[0].Value = big.Metadata[0].Value[1:]
	if _, err := e.oc.SetOrganizationMetadata(ctx, big); err != nil {
		t.Fatalf("500000 bytes rejected: %v", err)
	}
	if _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, strings.Repeat("ä", 200), "v")); err != nil {
		t.Fatalf("200 runes rejected: %v", err)
	}
	// With the quirk of v4.11 to v4.13.1, validation comes wrapped in Unknown.
	q := startV2(t, fakezitadel.Options{UnknownWrapQuirk: true})
	_, err = q.oc.SetOrganizationMetadata(as(q.fx.OwnerToken, ""), setReq(""))
	wantErr(t, err, codes.Unknown, "rpc error: code = InvalidArgument desc = invalid SetOrganizationMetadataRequest.OrganizationId: value length must be between 1 and 200 runes, inclusive ()", "")
}

func TestV2Delete(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	ctx, org := as(e.fx.OwnerToken, ""), e.fx.OrgID
	e.srv.SetMetadata(org, "a", []byte("1"))
	e.srv.SetMetadata(org, "b", []byte("2"))
	_, err := e.oc.DeleteOrganizationMetadata(ctx, delReq(org, "a", "missing"))
	wantErr(t, err, codes.NotFound, "One or more keys do not exist (META-2npds)", "META-2npds")
	if len(e.srv.Metadata(org)) != 2 {
		t.Fatal("a failed delete removed something")
	}
	before := e.srv.Sequence(org)
	resp, err := e.oc.DeleteOrganizationMetadata(ctx, delReq(org, "a", "a"))
	if err != nil || resp.GetDeletionDate() == nil {
		t.Fatalf("delete: %v, deletion_date %v", err, resp.GetDeletionDate())
	}
	if got := e.srv.Keys(org); len(got) != 1 || got[0] != "b" || e.srv.Sequence(org) != before+2 {
		t.Fatalf("keys %v after %d events, want b after 2", got, e.srv.Sequence(org)-before)
	}
	_, err = e.oc.DeleteOrganizationMetadata(ctx, delReq(org))
	wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mw2d)", "META-9mw2d")
	_, err = e.oc.DeleteOrganizationMetadata(ctx, delReq("", "b"))
	wantErr(t, err, codes.InvalidArgument, "invalid DeleteOrganizationMetadataRequest.OrganizationId: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.oc.DeleteOrganizationMetadata(ctx, delReq(org, "b", ""))
	wantErr(t, err, codes.InvalidArgument, "invalid DeleteOrganizationMetadataRequest.Keys[1]: value length must be between 1 and 200 runes, inclusive", "")
}

// TestV2WritePermissions: checked inside the call for the organization of
// the request, with v2's own error id for a viewer.
func TestV2WritePermissions(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	org := e.fx.OrgID
	e.srv.SetMetadata(org, "k", []byte("v"))
	for _, c := range []struct {
		token, msg, id string
		code           codes.Code
	}{
		{e.fx.OutsiderToken, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk", codes.NotFound},
		{e.fx.ViewerToken, "No matching permissions found (AUTH-AWfge)", "AUTH-AWfge", codes.PermissionDenied},
	} {
		// The header naming the caller's organization changes nothing.
		ctx := as(c.token, org)
		_, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "k", "w"))
		wantErr(t, err, c.code, c.msg, c.id)
		_, err = e.oc.DeleteOrganizationMetadata(ctx, delReq(org, "k"))
		wantErr(t, err, c.code, c.msg, c.id)
	}
	if got := string(e.srv.Metadata(org)["k"]); got != "v" {
		t.Fatalf("k = %q after refused writes", got)
	}
	// An instance role writes everywhere.
	if _, err := e.oc.SetOrganizationMetadata(as(e.iamToken, ""), setReq(e.fx.OutsiderOrgID, "k", "v")); err != nil {
		t.Fatalf("IAM_OWNER: %v", err)
	}
}

// TestV2WriteMissingOrganization: an instance owner learns the organization
// is missing (FailedPrecondition), a caller with only organization roles has
// no membership in an id that never existed (NotFound).
func TestV2WriteMissingOrganization(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	const notFound, gone = "membership not found (AUTHZ-cdgFk)", "Organisation not found (COMMAND-QXPGs)"
	cases := []struct {
		name, token, org, msg, id string
		code                      codes.Code
	}{
		{"org owner, never existed", e.fx.OwnerToken, "123", notFound, "AUTHZ-cdgFk", codes.NotFound},
		{"instance owner, never existed", e.iamToken, "123", gone, "COMMAND-QXPGs", codes.FailedPrecondition},
		// The owner's membership went with the organization.
		{"org owner, removed", e.fx.OwnerToken, e.fx.SecondOrgID, notFound, "AUTHZ-cdgFk", codes.NotFound},
		{"instance owner, removed", e.iamToken, e.fx.SecondOrgID, gone, "COMMAND-QXPGs", codes.FailedPrecondition},
	}
	for _, c := range cases {
		_, err := e.oc.SetOrganizationMetadata(as(c.token, ""), setReq(c.org, "k", "v"))
		wantErr(t, err, c.code, c.msg, c.id)
		_, err = e.oc.DeleteOrganizationMetadata(as(c.token, ""), delReq(c.org, "k"))
		wantErr(t, err, c.code, c.msg, c.id)
	}
}

func TestV2Authentication(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	_, err := e.oc.SetOrganizationMetadata(as("", ""), setReq(e.fx.OrgID, "k", "v"))
	wantErr(t, err, codes.Unauthenticated, "auth header missing", "")
	_, err = e.oc.ListOrganizationMetadata(as("not-a-token", ""), &orgv2.ListOrganizationMetadataRequest{OrganizationId: e.fx.OrgID})
	wantErr(t, err, codes.Unauthenticated, "Errors.Token.Invalid (AUTH-7fs1e)", "AUTH-7fs1e")
}
