package fakezitadel_test

// Contract tests: each test pins one behaviour that
// ../shared/zitadel-api-contract.md describes for a real ZITADEL v4.13.1.

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

type env struct {
	srv *fakezitadel.Server
	fx  fakezitadel.Fixture
	mc  management.ManagementServiceClient
}

func start(t *testing.T, opts fakezitadel.Options) *env {
	t.Helper()
	srv, fx := fakezitadel.StartTest(t, opts)
	conn, err := grpc.NewClient("passthrough:///"+srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &env{srv: srv, fx: fx, mc: management.NewManagementServiceClient(conn)}
}

// as returns a context calling with token, scoped to org ("" for the
// caller's own).
func as(token, org string) context.Context {
	md := metadata.MD{}
	if token != "" {
		md.Set("authorization", "Bearer "+token)
	}
	if org != "" {
		md.Set("x-zitadel-orgid", org)
	}
	return metadata.NewOutgoingContext(context.Background(), md)
}

func (e *env) owner() context.Context { return as(e.fx.OwnerToken, e.fx.OrgID) }

// wantErr checks code, message and the ErrorDetail id of a status.
func wantErr(t *testing.T, err error, code codes.Code, msg, id string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code || st.Message() != msg {
		t.Fatalf("got %s %q, want %s %q", st.Code(), st.Message(), code, msg)
	}
	var got []string
	for _, d := range st.Details() {
		if ed, ok := d.(*message.ErrorDetail); ok {
			got = append(got, ed.GetId())
		}
	}
	if id == "" && len(got) != 0 || id != "" && (len(got) != 1 || got[0] != id) {
		t.Fatalf("error detail ids %v, want %q", got, id)
	}
}

func bulk(kvs ...string) *management.BulkSetOrgMetadataRequest {
	return &management.BulkSetOrgMetadataRequest{Metadata: items(func(k string, v []byte) *management.BulkSetOrgMetadataRequest_Metadata {
		return &management.BulkSetOrgMetadataRequest_Metadata{Key: k, Value: v}
	}, kvs...)}
}

// items builds the entries of a set request of any API, with item, from
// key, value pairs.
func items[M any](item func(key string, value []byte) M, kvs ...string) []M {
	out := make([]M, 0, len(kvs)/2)
	for i := 0; i < len(kvs); i += 2 {
		out = append(out, item(kvs[i], []byte(kvs[i+1])))
	}
	return out
}

// itemKeys returns the keys of listed metadata of any API, in list order.
func itemKeys[M interface{ GetKey() string }](listed []M) []string {
	var ks []string
	for _, m := range listed {
		ks = append(ks, m.GetKey())
	}
	return ks
}

func TestValidationLimits(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	ctx := e.owner()
	if _, err := e.mc.SetOrgMetadata(ctx, &management.SetOrgMetadataRequest{Key: strings.Repeat("ä", 200), Value: []byte("v")}); err != nil {
		t.Fatalf("200 runes rejected: %v", err)
	}
	_, err := e.mc.SetOrgMetadata(ctx, &management.SetOrgMetadataRequest{Key: strings.Repeat("a", 201), Value: []byte("v")})
	wantErr(t, err, codes.InvalidArgument, "invalid SetOrgMetadataRequest.Key: value length must be between 1 and 200 runes, inclusive", "")
	if _, err := e.mc.SetOrgMetadata(ctx, &management.SetOrgMetadataRequest{Key: "big", Value: make([]byte, 500000)}); err != nil {
		t.Fatalf("500000 bytes rejected: %v", err)
	}
	_, err = e.mc.SetOrgMetadata(ctx, &management.SetOrgMetadataRequest{Key: "empty"})
	wantErr(t, err, codes.InvalidArgument, "invalid SetOrgMetadataRequest.Value: value length must be between 1 and 500000 bytes, inclusive", "")
	_, err = e.mc.BulkSetOrgMetadata(ctx, &management.BulkSetOrgMetadataRequest{Metadata: []*management.BulkSetOrgMetadataRequest_Metadata{
		{Key: "ok", Value: []byte("v")}, {Key: "bad", Value: make([]byte, 500001)},
	}})
	wantErr(t, err, codes.InvalidArgument, "invalid BulkSetOrgMetadataRequest.Metadata[1]: embedded message failed validation | caused by: invalid BulkSetOrgMetadataRequest_Metadata.Value: value length must be between 1 and 500000 bytes, inclusive", "")
	if _, ok := e.srv.Metadata(e.fx.OrgID)["ok"]; ok {
		t.Fatal("a rejected bulk request wrote an entry")
	}
	// Keys may hold spaces, slashes, colons and any Unicode.
	if _, err := e.mc.BulkSetOrgMetadata(ctx, bulk("a b/c:d", "1", "日本", "2")); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownWrapQuirk(t *testing.T) {
	e := start(t, fakezitadel.Options{UnknownWrapQuirk: true})
	_, err := e.mc.SetOrgMetadata(e.owner(), &management.SetOrgMetadataRequest{Key: "", Value: []byte("v")})
	wantErr(t, err, codes.Unknown, "rpc error: code = InvalidArgument desc = invalid SetOrgMetadataRequest.Key: value length must be between 1 and 200 runes, inclusive ()", "")
	_, err = e.mc.ListOrgMetadata(as("", ""), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.Unknown, "rpc error: code = Unauthenticated desc = auth header missing ()", "")
	// Errors with an id keep their intended code.
	_, err = e.mc.GetOrgMetadata(e.owner(), &management.GetOrgMetadataRequest{Key: "nope"})
	wantErr(t, err, codes.NotFound, "Metadata not found (QUERY-Rph32)", "QUERY-Rph32")
}

func TestSequenceAndWriteDetails(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	ctx := e.owner()
	if got := e.srv.Sequence(e.fx.OrgID); got != 6 {
		t.Fatalf("fresh org sequence %d, want 6", got)
	}
	set, err := e.mc.SetOrgMetadata(ctx, &management.SetOrgMetadataRequest{Key: "k", Value: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	d := set.GetDetails()
	if d.GetSequence() != 7 || d.GetCreationDate() == nil || d.GetChangeDate() != nil || d.GetResourceOwner() != e.fx.OrgID {
		t.Fatalf("SetOrgMetadata details %v", d)
	}
	// Set always writes a new event, even with the same value.
	set, _ = e.mc.SetOrgMetadata(ctx, &management.SetOrgMetadataRequest{Key: "k", Value: []byte("v")})
	if set.GetDetails().GetSequence() != 8 {
		t.Fatalf("second Set sequence %d, want 8", set.GetDetails().GetSequence())
	}
	b, err := e.mc.BulkSetOrgMetadata(ctx, bulk("k", "w", "n", "x"))
	if err != nil {
		t.Fatal(err)
	}
	d = b.GetDetails()
	if d.GetSequence() != 10 || d.GetCreationDate() != nil || d.GetChangeDate() == nil || d.GetResourceOwner() != e.fx.OrgID {
		t.Fatalf("BulkSet details %v", d)
	}
	// Nothing changed: no event, the last metadata event's details.
	b, err = e.mc.BulkSetOrgMetadata(ctx, bulk("k", "w", "n", "x"))
	if err != nil || b.GetDetails().GetSequence() != 10 || e.srv.Sequence(e.fx.OrgID) != 10 {
		t.Fatalf("unchanged BulkSet: %v, details %v, org sequence %d", err, b.GetDetails(), e.srv.Sequence(e.fx.OrgID))
	}
	r, err := e.mc.RemoveOrgMetadata(ctx, &management.RemoveOrgMetadataRequest{Key: "n"})
	if err != nil || r.GetDetails().GetSequence() != 11 || r.GetDetails().GetChangeDate() == nil {
		t.Fatalf("Remove: %v %v", err, r.GetDetails())
	}
}

func TestBulkSetOrderAndSkips(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	ctx := e.owner()
	e.srv.SetMetadata(e.fx.OrgID, "k", []byte("second"))
	before := e.srv.Sequence(e.fx.OrgID)
	if _, err := e.mc.BulkSetOrgMetadata(ctx, bulk("k", "second", "k", "third", "k", "second")); err != nil {
		t.Fatal(err)
	}
	if got := string(e.srv.Metadata(e.fx.OrgID)["k"]); got != "third" || e.srv.Sequence(e.fx.OrgID) != before+1 {
		t.Fatalf("got %q with %d events, want third with 1", got, e.srv.Sequence(e.fx.OrgID)-before)
	}
	before = e.srv.Sequence(e.fx.OrgID)
	if _, err := e.mc.BulkSetOrgMetadata(ctx, bulk("new", "first", "new", "second")); err != nil {
		t.Fatal(err)
	}
	if got := string(e.srv.Metadata(e.fx.OrgID)["new"]); got != "second" || e.srv.Sequence(e.fx.OrgID) != before+2 {
		t.Fatalf("got %q with %d events, want second with 2", got, e.srv.Sequence(e.fx.OrgID)-before)
	}
	_, err := e.mc.BulkSetOrgMetadata(ctx, &management.BulkSetOrgMetadataRequest{})
	wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
}

func TestMissingKeysAndBulkRemove(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	ctx := e.owner()
	_, err := e.mc.GetOrgMetadata(ctx, &management.GetOrgMetadataRequest{Key: "x"})
	wantErr(t, err, codes.NotFound, "Metadata not found (QUERY-Rph32)", "QUERY-Rph32")
	_, err = e.mc.RemoveOrgMetadata(ctx, &management.RemoveOrgMetadataRequest{Key: "x"})
	wantErr(t, err, codes.NotFound, "Metadata not found (META-mcnw3)", "META-mcnw3")

	e.srv.SetMetadata(e.fx.OrgID, "a", []byte("1"))
	e.srv.SetMetadata(e.fx.OrgID, "b", []byte("2"))
	_, err = e.mc.BulkRemoveOrgMetadata(ctx, &management.BulkRemoveOrgMetadataRequest{Keys: []string{"a", "missing"}})
	wantErr(t, err, codes.NotFound, "One or more keys do not exist (META-2npds)", "META-2npds")
	if len(e.srv.Metadata(e.fx.OrgID)) != 2 {
		t.Fatal("a failed BulkRemove removed something")
	}
	before := e.srv.Sequence(e.fx.OrgID)
	if _, err := e.mc.BulkRemoveOrgMetadata(ctx, &management.BulkRemoveOrgMetadataRequest{Keys: []string{"a", "a"}}); err != nil {
		t.Fatal(err)
	}
	if e.srv.Sequence(e.fx.OrgID) != before+2 {
		t.Fatalf("duplicate keys moved the sequence by %d, want 2", e.srv.Sequence(e.fx.OrgID)-before)
	}
	_, err = e.mc.BulkRemoveOrgMetadata(ctx, &management.BulkRemoveOrgMetadataRequest{})
	wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mw2d)", "META-9mw2d")
}

func list(t *testing.T, e *env, offset uint64, limit uint32, queries ...*mdpb.MetadataQuery) *management.ListOrgMetadataResponse {
	t.Helper()
	resp, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{Query: &object.ListQuery{Offset: offset, Limit: limit}, Queries: queries})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func keyQuery(key string, m object.TextQueryMethod) *mdpb.MetadataQuery {
	return &mdpb.MetadataQuery{Query: &mdpb.MetadataQuery_KeyQuery{KeyQuery: &mdpb.MetadataKeyQuery{Key: key, Method: m}}}
}

func keysOf(resp *management.ListOrgMetadataResponse) string {
	return strings.Join(itemKeys(resp.GetResult()), ",")
}

func TestListPagingAndTotal(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		e.srv.SetMetadata(e.fx.OrgID, k, []byte(k))
	}
	all := list(t, e, 0, 0)
	if keysOf(all) != "a,b,c,d,e" || all.GetDetails().GetTotalResult() != 5 || all.GetDetails().GetViewTimestamp() == nil || all.GetDetails().GetProcessedSequence() != 0 {
		t.Fatalf("limit 0: %s %v", keysOf(all), all.GetDetails())
	}
	page := list(t, e, 1, 2)
	if keysOf(page) != "b,c" || page.GetDetails().GetTotalResult() != 5 {
		t.Fatalf("offset 1 limit 2: %s total %d", keysOf(page), page.GetDetails().GetTotalResult())
	}
	if got := list(t, e, 0, 100000); len(got.GetResult()) != 5 {
		t.Fatal("limit 100000 not accepted as is")
	}
	past := list(t, e, 5, 2)
	if len(past.GetResult()) != 0 || past.GetDetails().GetTotalResult() != 0 {
		t.Fatalf("page past the end: %d results, total %d; want 0 and 0", len(past.GetResult()), past.GetDetails().GetTotalResult())
	}
	m := all.GetResult()[0].GetDetails()
	if m.GetSequence() == 0 || m.GetCreationDate() == nil || m.GetChangeDate() == nil || m.GetResourceOwner() != e.fx.OrgID {
		t.Fatalf("entry details %v", m)
	}
}

func TestListQueries(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	for _, k := range []string{"app_name", "appXname", "App%Cfg", "appycfg", "team.owner", "TEAM.lead"} {
		e.srv.SetMetadata(e.fx.OrgID, k, []byte("v"))
	}
	cases := []struct {
		name    string
		queries []*mdpb.MetadataQuery
		want    string
	}{
		{"equals exact", []*mdpb.MetadataQuery{keyQuery("app_name", object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS)}, "app_name"},
		{"equals empty matches nothing", []*mdpb.MetadataQuery{keyQuery("", object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS)}, ""},
		{"equals ignore case", []*mdpb.MetadataQuery{keyQuery("team.LEAD", object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE)}, "TEAM.lead"},
		{"starts with underscore is literal", []*mdpb.MetadataQuery{keyQuery("app_", object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH)}, "app_name"},
		{"starts with empty matches all", []*mdpb.MetadataQuery{keyQuery("", object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH)}, "App%Cfg,TEAM.lead,appXname,app_name,appycfg,team.owner"},
		{"starts with ignore case", []*mdpb.MetadataQuery{keyQuery("team", object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE)}, "TEAM.lead,team.owner"},
		{"contains percent is literal", []*mdpb.MetadataQuery{keyQuery("%", object.TextQueryMethod_TEXT_QUERY_METHOD_CONTAINS)}, "App%Cfg"},
		{"contains ignore case", []*mdpb.MetadataQuery{keyQuery("cfg", object.TextQueryMethod_TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE)}, "App%Cfg,appycfg"},
		{"ends with", []*mdpb.MetadataQuery{keyQuery("name", object.TextQueryMethod_TEXT_QUERY_METHOD_ENDS_WITH)}, "appXname,app_name"},
		{"ends with ignore case", []*mdpb.MetadataQuery{keyQuery("CFG", object.TextQueryMethod_TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE)}, "App%Cfg,appycfg"},
		{"queries are ANDed", []*mdpb.MetadataQuery{
			keyQuery("app", object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH),
			keyQuery("name", object.TextQueryMethod_TEXT_QUERY_METHOD_ENDS_WITH),
		}, "appXname,app_name"},
	}
	for _, c := range cases {
		if got := keysOf(list(t, e, 0, 0, c.queries...)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	_, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{Queries: []*mdpb.MetadataQuery{{}}})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("query without its oneof: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	_, err := e.mc.ListOrgMetadata(as("", ""), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.Unauthenticated, "auth header missing", "")
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", e.fx.OwnerToken)
	_, err = e.mc.ListOrgMetadata(ctx, &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.Unauthenticated, "invalid auth header (AUTH-toLo1)", "AUTH-toLo1")
	_, err = e.mc.ListOrgMetadata(as("not-a-token", ""), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.Unauthenticated, "Errors.Token.Invalid (AUTH-7fs1e)", "AUTH-7fs1e")
}

func TestPermissionsAndScoping(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	e.srv.SetMetadata(e.fx.SecondOrgID, "second", []byte("2"))
	// The header chooses the organization; without it, the caller's own.
	if got := keysOf(must(e.mc.ListOrgMetadata(as(e.fx.OwnerToken, e.fx.SecondOrgID), &management.ListOrgMetadataRequest{}))); got != "second" {
		t.Fatalf("header org: %q", got)
	}
	me := must(e.mc.GetMyOrg(as(e.fx.OwnerToken, ""), &management.GetMyOrgRequest{}))
	if me.GetOrg().GetId() != e.fx.OrgID || me.GetOrg().GetState() != orgpb.OrgState_ORG_STATE_ACTIVE {
		t.Fatalf("GetMyOrg without header: %v", me.GetOrg())
	}
	// A viewer reads but cannot write.
	if _, err := e.mc.ListOrgMetadata(as(e.fx.ViewerToken, e.fx.OrgID), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.mc.BulkSetOrgMetadata(as(e.fx.ViewerToken, e.fx.OrgID), bulk("k", "v"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	// No membership at all is NotFound, though nothing is gone.
	_, err = e.mc.ListOrgMetadata(as(e.fx.OutsiderToken, e.fx.OrgID), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	_, err = e.mc.ListOrgMetadata(as(e.fx.OutsiderToken, ""), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	// An organization that never existed.
	_, err = e.mc.BulkSetOrgMetadata(as(e.fx.OwnerToken, "123"), bulk("k", "v"))
	wantErr(t, err, codes.PermissionDenied, "Organisation doesn't exist (AUTH-Bs7Ds)", "AUTH-Bs7Ds")
	_, err = e.mc.ListOrgMetadata(as(e.fx.OwnerToken, "123"), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.PermissionDenied, "Organisation doesn't exist (AUTH-Bs7Ds)", "AUTH-Bs7Ds")
}

// TestRemovedOrganization: what a removed organization answers depends on
// where the caller's access came from (contract section 1, "Finding out
// which organization"). A caller whose access was a membership in it loses
// that membership with it and gets NotFound AUTHZ-cdgFk for every call, as
// a caller that never had one does; an instance owner gets an empty list,
// COMMAND-QXPGs for writes and the organization in no state; the
// organization search by id counts it for neither.
func TestRemovedOrganization(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	oc := orgv2.NewOrganizationServiceClient(dial(t, e))
	e.srv.SetMetadata(e.fx.SecondOrgID, "k", []byte("v"))
	if _, err := e.mc.RemoveOrg(as(e.fx.OwnerToken, e.fx.SecondOrgID), &management.RemoveOrgRequest{}); err != nil {
		t.Fatal(err)
	}

	member := as(e.fx.OwnerToken, e.fx.SecondOrgID)
	_, err := e.mc.ListOrgMetadata(member, &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	_, err = e.mc.BulkSetOrgMetadata(member, bulk("k", "w"))
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	_, err = e.mc.GetMyOrg(member, &management.GetMyOrgRequest{})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	// Its membership in the other organization stays.
	if _, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatalf("the owner's other organization: %v", err)
	}

	admin := as(e.fx.AdminToken, e.fx.SecondOrgID)
	resp, err := e.mc.ListOrgMetadata(admin, &management.ListOrgMetadataRequest{})
	if err != nil || len(resp.GetResult()) != 0 {
		t.Fatalf("an instance owner's list of a removed org: %v, %d results; want OK and empty", err, len(resp.GetResult()))
	}
	_, err = e.mc.BulkSetOrgMetadata(admin, bulk("k", "w"))
	wantErr(t, err, codes.FailedPrecondition, "Organisation not found (COMMAND-QXPGs)", "COMMAND-QXPGs")
	_, err = e.mc.BulkRemoveOrgMetadata(admin, &management.BulkRemoveOrgMetadataRequest{Keys: []string{"k"}})
	wantErr(t, err, codes.FailedPrecondition, "Organisation not found (COMMAND-QXPGs)", "COMMAND-QXPGs")
	me := must(e.mc.GetMyOrg(admin, &management.GetMyOrgRequest{}))
	if me.GetOrg().GetState() != orgpb.OrgState_ORG_STATE_UNSPECIFIED {
		t.Fatalf("removed org state %v, want unspecified", me.GetOrg().GetState())
	}

	for _, token := range []string{e.fx.OwnerToken, e.fx.AdminToken} {
		byID := &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: e.fx.SecondOrgID}}}}}
		found, err := oc.ListOrganizations(as(token, ""), byID)
		if err != nil || found.GetDetails().GetTotalResult() != 0 || len(found.GetResult()) != 0 {
			t.Fatalf("search of the removed organization by id: %v, total %d, %d results; want total 0", err, found.GetDetails().GetTotalResult(), len(found.GetResult()))
		}
	}
}

func TestRequestSizeCap(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	req := &management.BulkSetOrgMetadataRequest{}
	for i := 0; i < 9; i++ {
		req.Metadata = append(req.Metadata, &management.BulkSetOrgMetadataRequest_Metadata{Key: strings.Repeat("k", i+1), Value: make([]byte, 500000)})
	}
	_, err := e.mc.BulkSetOrgMetadata(e.owner(), req)
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("a 4.5 MB request: %v, want ResourceExhausted", err)
	}
}

func TestFaultsAndCounts(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	e.srv.InjectFault("BulkSetOrgMetadata", 1, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	_, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("k", "v"))
	if st, _ := status.FromError(err); st.Code() != codes.Unknown || !strings.Contains(st.Message(), "SQLSTATE 23505") {
		t.Fatalf("injected conflict: %v", err)
	}
	if len(e.srv.Metadata(e.fx.OrgID)) != 0 {
		t.Fatal("a failed call wrote")
	}
	if _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("k", "v")); err != nil {
		t.Fatalf("fault outlived its count: %v", err)
	}
	if got := e.srv.Calls("BulkSetOrgMetadata"); got != 2 {
		t.Fatalf("counted %d calls, want 2", got)
	}
	e.srv.InjectFault("ListOrgMetadata", 1, fakezitadel.Fault{Delay: 2 * time.Second})
	ctx, cancel := context.WithTimeout(e.owner(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.mc.ListOrgMetadata(ctx, &management.ListOrgMetadataRequest{}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("delayed call: %v, want DeadlineExceeded", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCallCountsOverHTTP(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	if _, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatal(err)
	}
	get := func() map[string]int {
		resp, err := http.Get("http://" + e.srv.Addr() + "/fake/calls")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var calls map[string]int
		if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
			t.Fatal(err)
		}
		return calls
	}
	if got := get(); got["ListOrgMetadata"] != 1 {
		t.Fatalf("calls %v", got)
	}
	resp, err := http.Post("http://"+e.srv.Addr()+"/fake/calls/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got := get(); len(got) != 0 {
		t.Fatalf("after reset: %v", got)
	}
}

func TestBulkHasNoItemLimit(t *testing.T) {
	e := start(t, fakezitadel.Options{})
	req := &management.BulkSetOrgMetadataRequest{}
	for i := 0; i < 20000; i++ {
		req.Metadata = append(req.Metadata, &management.BulkSetOrgMetadataRequest_Metadata{Key: "k" + strconv.Itoa(i), Value: []byte("v")})
	}
	if _, err := e.mc.BulkSetOrgMetadata(e.owner(), req); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Metadata(e.fx.OrgID)); n != 20000 {
		t.Fatalf("%d keys", n)
	}
}
