package fakezitadel_test

// The fake's hooks work for the organization service v2 as for v1: call
// counts, fault injection, Searches(), Options.WriteConflicts across both
// services, and Options.DisableV1 / DisableV2, which stand for servers that
// serve only one of the two APIs.

import (
	"strings"
	"testing"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func TestV2CountsFaultsAndSearches(t *testing.T) {
	e := startV2(t, fakezitadel.Options{})
	ctx, org := as(e.fx.OwnerToken, ""), e.fx.OrgID
	e.srv.InjectFault("SetOrganizationMetadata", 1, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	_, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "k", "v"))
	if st, _ := status.FromError(err); st.Code() != codes.Unknown || !strings.Contains(st.Message(), "SQLSTATE 23505") {
		t.Fatalf("injected fault: %v", err)
	}
	if len(e.srv.Metadata(org)) != 0 {
		t.Fatal("a failed call wrote")
	}
	if _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "k", "v")); err != nil {
		t.Fatalf("fault outlived its count: %v", err)
	}
	if got := e.srv.Calls("SetOrganizationMetadata"); got != 2 {
		t.Fatalf("counted %d calls, want 2", got)
	}
	e.srv.InjectFault("DeleteOrganizationMetadata", 1, fakezitadel.Fault{Code: codes.Unavailable, Message: "down"})
	if _, err := e.oc.DeleteOrganizationMetadata(ctx, delReq(org, "k")); status.Code(err) != codes.Unavailable {
		t.Fatalf("injected Unavailable: %v", err)
	}
	// A v2 list at offset 0 is a search, as a v1 one is; the outsider's
	// (empty) search counts too.
	e.srv.ResetCalls()
	e.list(t, e.fx.OwnerToken, org, nil)
	e.list(t, e.fx.OwnerToken, org, &filterv2.PaginationRequest{Offset: 100, Limit: 100})
	e.list(t, e.fx.OutsiderToken, org, &filterv2.PaginationRequest{Limit: 10})
	if _, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatal(err)
	}
	if pages, searches := e.srv.Calls("ListOrganizationMetadata"), e.srv.Searches(); pages != 3 || searches != 3 {
		t.Fatalf("%d v2 pages, %d searches; want 3 and 3", pages, searches)
	}
}

// TestV2WriteConflicts: v2 writes claim the organization's event stream
// exactly as v1 writes do, so a v1 and a v2 write of one organization at
// once collide, and writes to different organizations do not.
func TestV2WriteConflicts(t *testing.T) {
	t.Parallel()
	e := startV2(t, fakezitadel.Options{WriteConflicts: true, WriteWindow: conflictWindow})
	ctx, org := as(e.fx.OwnerToken, ""), e.fx.OrgID
	// Warm the connections up, so both calls below reach the server at once.
	e.list(t, e.fx.OwnerToken, org, nil)
	if _, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatal(err)
	}
	errs := concurrently(
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("a", "1")); return err },
		func() error { _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "b", "2")); return err },
	)
	won := winner(t, errs)
	if got, want := e.srv.Keys(org), [][]string{{"a"}, {"b"}}[won]; len(got) != 1 || got[0] != want[0] {
		t.Fatalf("keys %v, want only the winner's %v", got, want)
	}
	present := e.srv.Keys(org)[0]
	errs = concurrently(
		func() error { _, err := e.oc.DeleteOrganizationMetadata(ctx, delReq(org, present)); return err },
		func() error { _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "c", "3")); return err },
	)
	winner(t, errs)
	if got := e.srv.WriteConflicts(); got != 2 {
		t.Fatalf("WriteConflicts() = %d, want 2", got)
	}
	errs = concurrently(
		func() error { _, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "d", "4")); return err },
		func() error {
			_, err := e.oc.SetOrganizationMetadata(ctx, setReq(e.fx.SecondOrgID, "d", "4"))
			return err
		},
	)
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("writes to two organizations: %v", errs)
	}
}

func wantUnimplemented(t *testing.T, name string, err error) {
	t.Helper()
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("%s: %v, want Unimplemented", name, err)
	}
}

// TestDisableV1: a server without the management API v1 still serves v2.
func TestDisableV1(t *testing.T) {
	e := startV2(t, fakezitadel.Options{DisableV1: true})
	_, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{})
	wantUnimplemented(t, "ListOrgMetadata", err)
	_, err = e.mc.BulkSetOrgMetadata(e.owner(), bulk("k", "v"))
	wantUnimplemented(t, "BulkSetOrgMetadata", err)
	_, err = e.mc.GetMyOrg(e.owner(), &management.GetMyOrgRequest{})
	wantUnimplemented(t, "GetMyOrg", err)
	// Even a call that would fail authentication: the service is not there.
	_, err = e.mc.BulkRemoveOrgMetadata(as("", ""), &management.BulkRemoveOrgMetadataRequest{Keys: []string{"k"}})
	wantUnimplemented(t, "BulkRemoveOrgMetadata", err)
	if _, err := e.oc.SetOrganizationMetadata(as(e.fx.OwnerToken, ""), setReq(e.fx.OrgID, "k", "v")); err != nil {
		t.Fatalf("v2 write: %v", err)
	}
	if got := v2Keys(e.list(t, e.fx.OwnerToken, e.fx.OrgID, nil)); len(got) != 1 {
		t.Fatalf("v2 list %v", got)
	}
	if got := e.srv.Calls("ListOrgMetadata"); got != 1 {
		t.Fatalf("refused calls counted %d, want 1", got)
	}
}

// TestDisableV2: a server older than v4.7 serves only v1.
func TestDisableV2(t *testing.T) {
	e := startV2(t, fakezitadel.Options{DisableV2: true})
	ctx, org := as(e.fx.OwnerToken, ""), e.fx.OrgID
	_, err := e.oc.SetOrganizationMetadata(ctx, setReq(org, "k", "v"))
	wantUnimplemented(t, "SetOrganizationMetadata", err)
	_, err = e.oc.ListOrganizationMetadata(ctx, &orgv2.ListOrganizationMetadataRequest{OrganizationId: org})
	wantUnimplemented(t, "ListOrganizationMetadata", err)
	_, err = e.oc.DeleteOrganizationMetadata(ctx, delReq(org, "k"))
	wantUnimplemented(t, "DeleteOrganizationMetadata", err)
	_, err = e.oc.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{})
	wantUnimplemented(t, "ListOrganizations", err)
	if len(e.srv.Metadata(org)) != 0 {
		t.Fatal("a refused v2 call wrote")
	}
	if _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("k", "v")); err != nil {
		t.Fatalf("v1 write: %v", err)
	}
	if got := e.srv.Calls("SetOrganizationMetadata"); got != 1 {
		t.Fatalf("refused calls counted %d, want 1", got)
	}
}
