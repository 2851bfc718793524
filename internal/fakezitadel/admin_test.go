package fakezitadel_test

// Tests for the administration calls (admin.go): an instance owner sets up
// a scratch organization with a machine user, a token and a membership, as
// the acceptance tests' real mode does, and removes it again; the sweeper
// finds scratch organizations by name.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// adminEnv is env plus every client the administration tests use: the v1
// user calls, the organization and user services v2 and REST.
type adminEnv struct {
	*env
	v1   v1Users
	oc   orgv2.OrganizationServiceClient
	uc   userv2.UserServiceClient
	rest restClient
}

func startAdmin(t *testing.T) *adminEnv {
	t.Helper()
	e := start(t, fakezitadel.Options{})
	conn := dial(t, e)
	return &adminEnv{
		env:  e,
		v1:   v1Users{conn},
		oc:   orgv2.NewOrganizationServiceClient(conn),
		uc:   userv2.NewUserServiceClient(conn),
		rest: restClient{base: "http://" + e.srv.Addr(), hc: &http.Client{}},
	}
}

// addPAT calls AddPersonalAccessToken by its full method name: the
// generated client marks it deprecated (in favour of the user service v2).
func (c v1Users) addPAT(ctx context.Context, req *management.AddPersonalAccessTokenRequest) (*management.AddPersonalAccessTokenResponse, error) {
	return invoke[management.AddPersonalAccessTokenResponse](ctx, c.cc, management.ManagementService_AddPersonalAccessToken_FullMethodName, req)
}

// addOrg creates an organization as token and returns its id, failing the
// test on an error.
func (e *adminEnv) addOrg(t *testing.T, token, name string) string {
	t.Helper()
	resp, err := e.mc.AddOrg(as(token, ""), &management.AddOrgRequest{Name: name})
	if err != nil {
		t.Fatalf("AddOrg %q: %v", name, err)
	}
	return resp.GetId()
}

// TestAdminScratchOrganization: the real mode's setup over gRPC. The
// instance owner creates an organization (and owns it), a machine user in
// it, a token for that user and makes it ORG_OWNER; the token then writes
// the organization's metadata, and the organization is the user's own.
func TestAdminScratchOrganization(t *testing.T) {
	e := startAdmin(t)
	admin := e.fx.AdminToken
	resp, err := e.mc.AddOrg(as(admin, ""), &management.AddOrgRequest{Name: "tfacc-abc-org1"})
	if err != nil {
		t.Fatal(err)
	}
	org := resp.GetId()
	if org == "" || resp.GetDetails().GetSequence() != 6 || resp.GetDetails().GetResourceOwner() != org || resp.GetDetails().GetCreationDate() == nil {
		t.Fatalf("AddOrg answer %v", resp)
	}
	if got := e.srv.Roles(e.fx.AdminID, org); !slices.Equal(got, []string{"ORG_OWNER"}) {
		t.Fatalf("the creator's roles in the new organization: %v", got)
	}
	me := must(e.mc.GetMyOrg(as(admin, org), &management.GetMyOrgRequest{}))
	if me.GetOrg().GetId() != org || me.GetOrg().GetName() != "tfacc-abc-org1" {
		t.Fatalf("GetMyOrg %v", me.GetOrg())
	}
	// The caller's own organization stays what it was.
	if me := must(e.mc.GetMyOrg(as(admin, ""), &management.GetMyOrgRequest{})); me.GetOrg().GetId() != e.fx.OrgID {
		t.Fatalf("the admin's own organization is now %s", me.GetOrg().GetId())
	}

	bot := must(e.v1.AddMachineUser(as(admin, org), &management.AddMachineUserRequest{UserName: "tfacc-abc-owner", Name: "tfacc-abc-owner"})).GetUserId()
	pat, err := e.v1.addPAT(as(admin, org), &management.AddPersonalAccessTokenRequest{UserId: bot, ExpirationDate: timestamppb.New(time.Now().Add(3 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if pat.GetToken() == "" || pat.GetTokenId() == "" || pat.GetDetails().GetResourceOwner() != org || pat.GetDetails().GetSequence() != 2 {
		t.Fatalf("AddPersonalAccessToken answer %v", pat)
	}
	token := pat.GetToken()
	// Without a membership the token authenticates but reaches nothing.
	_, err = e.mc.BulkSetOrgMetadata(as(token, org), bulk("k", "v"))
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")

	member, err := e.mc.AddOrgMember(as(admin, org), &management.AddOrgMemberRequest{UserId: bot, Roles: []string{"ORG_OWNER"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := member.GetDetails(); d.GetSequence() != 7 || d.GetResourceOwner() != org {
		t.Fatalf("AddOrgMember details %v", d)
	}
	if _, err := e.mc.BulkSetOrgMetadata(as(token, org), bulk("k", "v")); err != nil {
		t.Fatal(err)
	}
	if got := string(e.srv.Metadata(org)["k"]); got != "v" {
		t.Fatalf("stored %q", got)
	}
	me = must(e.mc.GetMyOrg(as(token, ""), &management.GetMyOrgRequest{}))
	if me.GetOrg().GetId() != org {
		t.Fatalf("the machine user's own organization: %v", me.GetOrg())
	}
	// The owner token reaches no other organization.
	_, err = e.mc.ListOrgMetadata(as(token, e.fx.OrgID), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
}

// TestAdminAddOrg: org.create is the instance owner's, whatever the header
// or its own organization; the name is validated and unique among live
// organizations.
func TestAdminAddOrg(t *testing.T) {
	e := startAdmin(t)
	for name, token := range map[string]string{"owner": e.fx.OwnerToken, "viewer": e.fx.ViewerToken, "outsider": e.fx.OutsiderToken} {
		_, err := e.mc.AddOrg(as(token, ""), &management.AddOrgRequest{Name: "tfacc-" + name})
		wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
		_, err = e.mc.AddOrg(as(token, e.fx.OrgID), &management.AddOrgRequest{Name: "tfacc-" + name})
		wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	}
	// An instance owner of an organization of its own without any
	// membership, calling with a header naming an organization that does
	// not exist: the organization of the call plays no part.
	iam := e.srv.AddUser(e.fx.OutsiderOrgID)
	e.srv.Grant(iam, "", "IAM_OWNER")
	iamToken := e.srv.AddToken(iam)
	if _, err := e.mc.AddOrg(as(iamToken, "123"), &management.AddOrgRequest{Name: "tfacc-iam"}); err != nil {
		t.Fatal(err)
	}

	_, err := e.mc.AddOrg(as(e.fx.AdminToken, ""), &management.AddOrgRequest{})
	wantErr(t, err, codes.InvalidArgument, "invalid AddOrgRequest.Name: value length must be between 1 and 200 runes, inclusive", "")
	for _, taken := range []string{"acme", "ACME", "tfacc-IAM"} {
		_, err = e.mc.AddOrg(as(e.fx.AdminToken, ""), &management.AddOrgRequest{Name: taken})
		wantErr(t, err, codes.AlreadyExists, "Organisation's name or id already taken (V3-DKcYh)", "V3-DKcYh")
	}
	// A removed organization frees its name.
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	if id := e.addOrg(t, e.fx.AdminToken, "globex"); id == e.fx.SecondOrgID {
		t.Fatal("AddOrg answered the removed organization's id")
	}
}

// TestAdminAddOrgMember: org.member.write in the organization of the call;
// the roles are organization roles; any live user of the instance, once.
func TestAdminAddOrgMember(t *testing.T) {
	e := startAdmin(t)
	org := e.fx.OrgID
	add := func(token, user string, roles ...string) error {
		_, err := e.mc.AddOrgMember(as(token, org), &management.AddOrgMemberRequest{UserId: user, Roles: roles})
		return err
	}
	// A user of another organization becomes a viewer of this one.
	if err := add(e.fx.AdminToken, e.fx.OutsiderUserID, "ORG_OWNER_VIEWER"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.mc.ListOrgMetadata(as(e.fx.OutsiderToken, org), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatalf("the new viewer reads: %v", err)
	}
	_, err := e.mc.BulkSetOrgMetadata(as(e.fx.OutsiderToken, org), bulk("k", "v"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	// An organization owner may add members too; a viewer may not.
	if err := add(e.fx.OwnerToken, e.fx.UserID, "ORG_USER_MANAGER"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, add(e.fx.ViewerToken, e.fx.SecondUserID, "ORG_OWNER"), codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")

	wantErr(t, add(e.fx.AdminToken, "", "ORG_OWNER"), codes.InvalidArgument, "invalid AddOrgMemberRequest.UserId: value length must be between 1 and 200 runes, inclusive", "")
	wantErr(t, add(e.fx.AdminToken, e.fx.SecondUserID), codes.InvalidArgument, "Errors.Invalid.Argument (V2-PfYhb)", "V2-PfYhb")
	for _, roles := range [][]string{{"IAM_OWNER"}, {"ORG_OWNER", "PROJECT_OWNER"}, {"ORG_OWNER", "SELF_MANAGEMENT_GLOBAL"}} {
		wantErr(t, add(e.fx.AdminToken, e.fx.SecondUserID, roles...), codes.InvalidArgument, "Errors.Org.MemberInvalid (Org-4N8es)", "Org-4N8es")
	}
	wantErr(t, add(e.fx.AdminToken, "123", "ORG_OWNER"), codes.FailedPrecondition, "User could not be found (ORG-GoXOn)", "ORG-GoXOn")
	if err := e.srv.RemoveUser(e.fx.SecondUserID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, add(e.fx.AdminToken, e.fx.SecondUserID, "ORG_OWNER"), codes.FailedPrecondition, "User could not be found (ORG-GoXOn)", "ORG-GoXOn")
	// Already a member, with whatever roles.
	wantErr(t, add(e.fx.AdminToken, e.fx.ViewerID, "ORG_OWNER"), codes.AlreadyExists, "Errors.Org.Member.AlreadyExists (ORG-poWwe)", "ORG-poWwe")
	if got := e.srv.Roles(e.fx.ViewerID, org); !slices.Equal(got, []string{"ORG_OWNER_VIEWER"}) {
		t.Fatalf("the viewer's roles changed to %v", got)
	}
	// In a removed organization.
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	_, err = e.mc.AddOrgMember(as(e.fx.AdminToken, e.fx.SecondOrgID), &management.AddOrgMemberRequest{UserId: e.fx.UserID, Roles: []string{"ORG_OWNER"}})
	wantErr(t, err, codes.FailedPrecondition, "Organisation not found (COMMAND-QXPGs)", "COMMAND-QXPGs")
}

// TestAdminAddPersonalAccessToken: user.write in the organization of the
// call, for a live machine user of that organization; the token lives as
// long as its user.
func TestAdminAddPersonalAccessToken(t *testing.T) {
	e := startAdmin(t)
	org := e.fx.OrgID
	add := func(token, org, user string, expires *timestamppb.Timestamp) (string, error) {
		resp, err := e.v1.addPAT(as(token, org), &management.AddPersonalAccessTokenRequest{UserId: user, ExpirationDate: expires})
		return resp.GetToken(), err
	}
	// No expiration date is fine; the owner of the organization may too.
	for _, caller := range []string{e.fx.AdminToken, e.fx.OwnerToken} {
		if _, err := add(caller, org, e.fx.UserID, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := add(e.fx.ViewerToken, org, e.fx.UserID, nil)
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")

	_, err = add(e.fx.AdminToken, org, "", nil)
	wantErr(t, err, codes.InvalidArgument, "invalid AddPersonalAccessTokenRequest.UserId: value length must be at least 1 runes", "")
	_, err = add(e.fx.AdminToken, org, e.fx.UserID, timestamppb.New(time.Now().Add(-time.Minute)))
	wantErr(t, err, codes.InvalidArgument, "Errors.AuthNKey.ExpireBeforeNow (DOMAIN-dv3t5)", "DOMAIN-dv3t5")
	// A user that is missing, or of another organization than the call's.
	for _, user := range []string{"123", e.fx.SecondUserID} {
		_, err = add(e.fx.AdminToken, org, user, nil)
		wantErr(t, err, codes.FailedPrecondition, "User could not be found (COMMAND-Dggw2)", "COMMAND-Dggw2")
	}
	_, err = add(e.fx.AdminToken, org, e.fx.ViewerID, nil)
	wantErr(t, err, codes.FailedPrecondition, "Not allowed for this user type (COMMAND-Df2f1)", "COMMAND-Df2f1")

	// The token authenticates as the user until the user is removed.
	tok, err := add(e.fx.AdminToken, org, e.fx.UserID, timestamppb.New(time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Grant(e.fx.UserID, org, "ORG_OWNER_VIEWER")
	if _, err := e.mc.ListOrgMetadata(as(tok, ""), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.v1.RemoveUser(as(e.fx.AdminToken, org), &management.RemoveUserRequest{Id: e.fx.UserID}); err != nil {
		t.Fatal(err)
	}
	_, err = e.mc.ListOrgMetadata(as(tok, ""), &management.ListOrgMetadataRequest{})
	wantErr(t, err, codes.Unauthenticated, "Errors.Token.Invalid (AUTH-7fs1e)", "AUTH-7fs1e")
}

// TestAdminUserLifecycle: an instance owner deactivates and removes users
// of any organization named in the header; without it, its own
// organization's only.
func TestAdminUserLifecycle(t *testing.T) {
	e := startAdmin(t)
	admin, other, id := e.fx.AdminToken, e.fx.SecondOrgID, e.fx.SecondUserID
	_, err := e.v1.DeactivateUser(as(admin, ""), &management.DeactivateUserRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (COMMAND-3M9ds)", "COMMAND-3M9ds")
	if _, err := e.v1.DeactivateUser(as(admin, other), &management.DeactivateUserRequest{Id: id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.v1.RemoveUser(as(admin, ""), &management.RemoveUserRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (COMMAND-m9od)", "COMMAND-m9od")
	if _, err := e.v1.RemoveUser(as(admin, other), &management.RemoveUserRequest{Id: id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.v1.GetUserByID(as(admin, other), &management.GetUserByIDRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
}

// TestAdminRESTRemoveOrg: the setup and teardown over REST. Removing the
// organization removes its users: their tokens stop authenticating and
// every user call treats them as removed users.
func TestAdminRESTRemoveOrg(t *testing.T) {
	e := startAdmin(t)
	admin := bearer(e.fx.AdminToken)
	org, _ := e.rest.call(t, "POST", "/management/v1/orgs", admin, "", `{"name":"tfacc-rest"}`).ok(t)["id"].(string)
	if org == "" || !slices.Contains(e.srv.Roles(e.fx.AdminID, org), "ORG_OWNER") {
		t.Fatalf("AddOrg over REST: id %q", org)
	}
	r := e.rest.call(t, "POST", "/management/v1/orgs", bearer(e.fx.OwnerToken), "", `{"name":"tfacc-rest2"}`)
	wantRESTErr(t, r, 403, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")

	bot, _ := e.rest.call(t, "POST", "/management/v1/users/machine", admin, org, `{"userName":"tfacc-rest-bot","name":"bot"}`).ok(t)["userId"].(string)
	body := e.rest.call(t, "POST", "/management/v1/users/"+bot+"/pats", admin, org, `{"expirationDate":"2519-04-01T08:45:00Z"}`).ok(t)
	wantFields(t, body, "tokenId", "token", "details")
	token := body["token"].(string)
	details := jsonObj(t, e.rest.call(t, "POST", "/management/v1/orgs/me/members", admin, org, `{"userId":"`+bot+`","roles":["ORG_OWNER"]}`).ok(t), "details")
	if details["resourceOwner"] != org {
		t.Fatalf("AddOrgMember details %v", details)
	}
	r = e.rest.call(t, "POST", "/management/v1/orgs/me/members", admin, org, `{"userId":"`+bot+`"}`)
	wantRESTErr(t, r, 400, codes.InvalidArgument, "Errors.Invalid.Argument (V2-PfYhb)", "V2-PfYhb")
	e.rest.call(t, "POST", "/management/v1/metadata/_bulk", bearer(token), "", `{"metadata":[{"key":"k","value":"MQ=="}]}`).ok(t)
	e.rest.call(t, "POST", "/management/v1/users/"+bot+"/metadata/_bulk", admin, org, `{"metadata":[{"key":"k","value":"MQ=="}]}`).ok(t)

	// The token's owner cannot remove another organization; the admin
	// removes this one.
	r = e.rest.call(t, "DELETE", "/management/v1/orgs/me", bearer(token), e.fx.OrgID, "")
	wantRESTErr(t, r, 404, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	details = jsonObj(t, e.rest.call(t, "DELETE", "/management/v1/orgs/me", admin, org, "").ok(t), "details")
	if details["resourceOwner"] != org {
		t.Fatalf("RemoveOrg details %v", details)
	}
	r = e.rest.call(t, "DELETE", "/management/v1/orgs/me", admin, org, "")
	wantRESTErr(t, r, 404, codes.NotFound, "Organisation not found (COMMA-aps2n)", "COMMA-aps2n")
	if err := e.srv.RemoveOrganization(org); err == nil {
		t.Fatal("the RemoveOrganization hook removed a removed organization again")
	}

	// The organization's user is gone with it.
	r = e.rest.call(t, "GET", "/management/v1/orgs/me", bearer(token), "", "")
	wantRESTErr(t, r, 401, codes.Unauthenticated, "Errors.Token.Invalid (AUTH-7fs1e)", "AUTH-7fs1e")
	r = e.rest.call(t, "POST", "/management/v1/users/"+bot+"/metadata/_bulk", admin, org, `{"metadata":[{"key":"k","value":"Mg=="}]}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
	if list := e.rest.call(t, "POST", "/management/v1/users/"+bot+"/metadata/_search", admin, org, `{}`).ok(t); list["result"] != nil {
		t.Fatalf("list of a removed organization's user: %v", list)
	}
	r = e.rest.call(t, "GET", "/management/v1/users/"+bot, admin, org, "")
	wantRESTErr(t, r, 404, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	r = e.rest.call(t, "POST", "/v2/users/"+bot+"/metadata", admin, "", `{"metadata":[{"key":"k","value":"Mg=="}]}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
	_, err := e.uc.GetUserByID(as(e.fx.AdminToken, ""), &userv2.GetUserByIDRequest{UserId: bot})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("v2 GetUserByID of a removed organization's user: %v", err)
	}
	r = e.rest.call(t, "POST", "/management/v1/users/"+bot+"/pats", admin, org, `{}`)
	wantRESTErr(t, r, 400, codes.FailedPrecondition, "User could not be found (COMMAND-Dggw2)", "COMMAND-Dggw2")
	// Out of band the metadata stays readable, as a removed user's does.
	if got := e.srv.UserKeys(bot); !slices.Equal(got, []string{"k"}) {
		t.Fatalf("the removed user's metadata: %v", got)
	}
}

func nameQuery(name string, m objv2.TextQueryMethod) *orgv2.SearchQuery {
	return &orgv2.SearchQuery{Query: &orgv2.SearchQuery_NameQuery{NameQuery: &orgv2.OrganizationNameQuery{Name: name, Method: m}}}
}

// TestV2ListOrganizationsByName: the sweeper's search, name queries ANDed
// with the others, over the live organizations the caller can see; paging.
func TestV2ListOrganizationsByName(t *testing.T) {
	e := startAdmin(t)
	admin := e.fx.AdminToken
	ids := map[string]string{}
	for _, name := range []string{"tfacc-a", "tfacc-b", "tfacc-gone", "TFACC-upper", "tfacc_x", "not-tfacc-c"} {
		ids[name] = e.addOrg(t, admin, name)
	}
	if err := e.srv.RemoveOrganization(ids["tfacc-gone"]); err != nil {
		t.Fatal(err)
	}
	list := func(token string, q *objv2.ListQuery, queries ...*orgv2.SearchQuery) (names []string, total uint64) {
		t.Helper()
		resp, err := e.oc.ListOrganizations(as(token, ""), &orgv2.ListOrganizationsRequest{Query: q, Queries: queries})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range resp.GetResult() {
			if ids[o.GetName()] != o.GetId() && o.GetName() != "acme" {
				t.Fatalf("organization %v", o)
			}
			names = append(names, o.GetName())
		}
		slices.Sort(names)
		return names, resp.GetDetails().GetTotalResult()
	}
	for _, c := range []struct {
		name   string
		method objv2.TextQueryMethod
		want   []string
	}{
		{"tfacc-", objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH, []string{"tfacc-a", "tfacc-b"}},
		{"tfacc-", objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE, []string{"TFACC-upper", "tfacc-a", "tfacc-b"}},
		{"tfacc-a", objv2.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS, []string{"tfacc-a"}},
		{"tfacc-A", objv2.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS, nil},
		{"tfacc-A", objv2.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE, []string{"tfacc-a"}},
		{"tfacc-gone", objv2.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS, nil},
	} {
		got, total := list(admin, nil, nameQuery(c.name, c.method))
		if !slices.Equal(got, c.want) || total != uint64(len(c.want)) {
			t.Errorf("%s %q: %v (total %d), want %v", c.method, c.name, got, total, c.want)
		}
	}
	// ANDed with an id query.
	if got, total := list(admin, nil, nameQuery("tfacc-", objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH), &orgv2.SearchQuery{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: ids["tfacc-b"]}}}); !slices.Equal(got, []string{"tfacc-b"}) || total != 1 {
		t.Fatalf("name and id: %v, total %d", got, total)
	}
	// The owner of acme sees acme only; the total counts all matches.
	e.srv.Grant(e.fx.OwnerID, ids["tfacc-a"], "ORG_OWNER_VIEWER")
	if got, total := list(e.fx.OwnerToken, nil, nameQuery("tfacc-", objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH)); !slices.Equal(got, []string{"tfacc-a"}) || total != 2 {
		t.Fatalf("as an owner of one: %v, total %d", got, total)
	}
	// Paging: limit 1 twice, then past the end.
	sweep := nameQuery("tfacc-", objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE)
	var paged []string
	for offset := uint64(0); offset < 3; offset++ {
		got, total := list(admin, &objv2.ListQuery{Offset: offset, Limit: 1}, sweep)
		if len(got) != 1 || total != 3 {
			t.Fatalf("page at %d: %v, total %d", offset, got, total)
		}
		paged = append(paged, got...)
	}
	slices.Sort(paged)
	if !slices.Equal(paged, []string{"TFACC-upper", "tfacc-a", "tfacc-b"}) {
		t.Fatalf("pages %v", paged)
	}
	if got, total := list(admin, &objv2.ListQuery{Offset: 3, Limit: 1}, sweep); len(got) != 0 || total != 0 {
		t.Fatalf("past the end: %v, total %d", got, total)
	}

	// Validation, and the methods the fake does not serve.
	_, err := e.oc.ListOrganizations(as(admin, ""), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{nameQuery("", 0)}})
	wantErr(t, err, codes.InvalidArgument, "invalid ListOrganizationsRequest.Queries[0]: embedded message failed validation | caused by: invalid SearchQuery.NameQuery: embedded message failed validation | caused by: invalid OrganizationNameQuery.Name: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.oc.ListOrganizations(as(admin, ""), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{nameQuery("x", 99)}})
	wantErr(t, err, codes.InvalidArgument, "invalid ListOrganizationsRequest.Queries[0]: embedded message failed validation | caused by: invalid SearchQuery.NameQuery: embedded message failed validation | caused by: invalid OrganizationNameQuery.Method: value must be one of the defined enum values", "")
	_, err = e.oc.ListOrganizations(as(admin, ""), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{nameQuery("x", objv2.TextQueryMethod_TEXT_QUERY_METHOD_CONTAINS)}})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("CONTAINS: %v, want Unimplemented", err)
	}

	// Over REST, as the sweeper may call it.
	body := e.rest.call(t, "POST", "/v2/organizations/_search", bearer(admin), "",
		`{"query":{"offset":"0","limit":100},"queries":[{"nameQuery":{"name":"tfacc-","method":"TEXT_QUERY_METHOD_STARTS_WITH"}}]}`).ok(t)
	var names []string
	for _, o := range jsonList(t, body, "result") {
		names = append(names, fmt.Sprint(o.(map[string]any)["name"]))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"tfacc-a", "tfacc-b"}) || jsonObj(t, body, "details")["totalResult"] != "2" {
		t.Fatalf("REST search: %v, details %v", names, body["details"])
	}
}

// TestRESTRoutesCoverAdminCalls: every administration call has its route
// (httprule reads verb and path from the descriptors).
func TestRESTRoutesCoverAdminCalls(t *testing.T) {
	e := startAdmin(t)
	// A route for each answers other than 404 Not Found (routing) or 501.
	for _, c := range []struct{ verb, path string }{
		{"POST", "/management/v1/orgs"},
		{"DELETE", "/management/v1/orgs/me"},
		{"POST", "/management/v1/orgs/me/members"},
		{"POST", "/management/v1/users/" + e.fx.UserID + "/pats"},
	} {
		r := e.rest.call(t, c.verb, c.path, "", "", "{}")
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d %v, want 401 from the interceptor", c.verb, c.path, r.status, r.body)
		}
	}
}

// User names are unique in the instance, not per organization (ZITADEL's
// default domain policy), and removing an organization twice is NotFound:
// real mode names its scratch users apart and tolerates the second removal.
func TestAdminUserNamesAndSecondRemoval(t *testing.T) {
	e := startAdmin(t)
	admin := e.fx.AdminToken
	ctx := as(admin, e.fx.OrgID)
	if _, err := e.v1.AddMachineUser(ctx, &management.AddMachineUserRequest{UserName: "tfacc-x-user", Name: "u"}); err != nil {
		t.Fatal(err)
	}
	_, err := e.v1.AddMachineUser(as(admin, e.fx.SecondOrgID), &management.AddMachineUserRequest{UserName: "TFACC-X-USER", Name: "u"})
	if status.Code(err) != codes.AlreadyExists {
		t.Fatalf("the same user name in another organization: %v, want AlreadyExists", err)
	}
	org := e.addOrg(t, admin, "tfacc-x-org")
	if _, err := e.mc.RemoveOrg(as(admin, org), &management.RemoveOrgRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.mc.RemoveOrg(as(admin, org), &management.RemoveOrgRequest{})
	wantErr(t, err, codes.NotFound, "Organisation not found (COMMA-aps2n)", "COMMA-aps2n")
}
