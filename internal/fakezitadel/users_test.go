package fakezitadel_test

// Contract tests for user metadata over the management API v1 (contract
// section 4), and the user lifecycle calls around it: BulkSetUserMetadata,
// ListUserMetadata and BulkRemoveUserMetadata act in the organization of
// the call, on users of that organization only.

import (
	"context"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// userEnv is env plus clients of the v1 user calls and of the user
// service v2.
type userEnv struct {
	*env
	v1 v1Users
	uc userv2.UserServiceClient
}

// v1Users calls the user calls of the management API v1 by their full
// method names: the generated client marks them deprecated (in favour of
// the user service v2), but the contract pins them, as it does the
// organization calls.
type v1Users struct{ cc grpc.ClientConnInterface }

func invoke[Resp any](ctx context.Context, cc grpc.ClientConnInterface, method string, req any) (*Resp, error) {
	resp := new(Resp)
	if err := cc.Invoke(ctx, method, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

func (c v1Users) BulkSetUserMetadata(ctx context.Context, req *management.BulkSetUserMetadataRequest) (*management.BulkSetUserMetadataResponse, error) {
	return invoke[management.BulkSetUserMetadataResponse](ctx, c.cc, management.ManagementService_BulkSetUserMetadata_FullMethodName, req)
}

func (c v1Users) BulkRemoveUserMetadata(ctx context.Context, req *management.BulkRemoveUserMetadataRequest) (*management.BulkRemoveUserMetadataResponse, error) {
	return invoke[management.BulkRemoveUserMetadataResponse](ctx, c.cc, management.ManagementService_BulkRemoveUserMetadata_FullMethodName, req)
}

func (c v1Users) ListUserMetadata(ctx context.Context, req *management.ListUserMetadataRequest) (*management.ListUserMetadataResponse, error) {
	return invoke[management.ListUserMetadataResponse](ctx, c.cc, management.ManagementService_ListUserMetadata_FullMethodName, req)
}

func (c v1Users) AddMachineUser(ctx context.Context, req *management.AddMachineUserRequest) (*management.AddMachineUserResponse, error) {
	return invoke[management.AddMachineUserResponse](ctx, c.cc, management.ManagementService_AddMachineUser_FullMethodName, req)
}

func (c v1Users) GetUserByID(ctx context.Context, req *management.GetUserByIDRequest) (*management.GetUserByIDResponse, error) {
	return invoke[management.GetUserByIDResponse](ctx, c.cc, management.ManagementService_GetUserByID_FullMethodName, req)
}

func (c v1Users) DeactivateUser(ctx context.Context, req *management.DeactivateUserRequest) (*management.DeactivateUserResponse, error) {
	return invoke[management.DeactivateUserResponse](ctx, c.cc, management.ManagementService_DeactivateUser_FullMethodName, req)
}

func (c v1Users) RemoveUser(ctx context.Context, req *management.RemoveUserRequest) (*management.RemoveUserResponse, error) {
	return invoke[management.RemoveUserResponse](ctx, c.cc, management.ManagementService_RemoveUser_FullMethodName, req)
}

func startUsers(t *testing.T, opts fakezitadel.Options) *userEnv {
	t.Helper()
	e := start(t, opts)
	conn := dial(t, e)
	return &userEnv{env: e, v1: v1Users{conn}, uc: userv2.NewUserServiceClient(conn)}
}

// caller returns the token of a new user of the first organization holding
// role there, or instance-wide for an IAM_ role.
func (e *userEnv) caller(role string) string {
	id := e.srv.AddUser(e.fx.OrgID)
	scope := e.fx.OrgID
	if strings.HasPrefix(role, "IAM_") {
		scope = ""
	}
	e.srv.Grant(id, scope, role)
	return e.srv.AddToken(id)
}

func userBulk(id string, kvs ...string) *management.BulkSetUserMetadataRequest {
	return &management.BulkSetUserMetadataRequest{Id: id, Metadata: items(func(k string, v []byte) *management.BulkSetUserMetadataRequest_Metadata {
		return &management.BulkSetUserMetadataRequest_Metadata{Key: k, Value: v}
	}, kvs...)}
}

func userRemove(id string, keys ...string) *management.BulkRemoveUserMetadataRequest {
	return &management.BulkRemoveUserMetadataRequest{Id: id, Keys: keys}
}

// v1List lists a user's metadata over v1 as token in org and returns the
// answer, failing the test on an error.
func (e *userEnv) v1List(t *testing.T, token, org string, req *management.ListUserMetadataRequest) *management.ListUserMetadataResponse {
	t.Helper()
	resp, err := e.v1.ListUserMetadata(as(token, org), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func v1UserKeys(resp *management.ListUserMetadataResponse) string {
	return strings.Join(itemKeys(resp.GetResult()), ",")
}

func TestUserV1SetListRemove(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	org, id := e.fx.OrgID, e.fx.UserID
	ctx := as(e.fx.OwnerToken, org)
	before, orgBefore := e.srv.UserSequence(id), e.srv.Sequence(org)

	resp, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, "a", "1", "b", "2"))
	d := resp.GetDetails()
	if err != nil || d.GetSequence() != before+2 || d.GetResourceOwner() != org || d.GetChangeDate() == nil || d.GetCreationDate() != nil {
		t.Fatalf("BulkSet: %v, details %v; want sequence %d, the org as resource owner, a change date", err, d, before+2)
	}
	if e.srv.Sequence(org) != orgBefore {
		t.Fatal("a user's metadata moved its organization's sequence: the user is an aggregate of its own")
	}
	// Unchanged entries are accepted, write nothing and answer the last event.
	again := must(e.v1.BulkSetUserMetadata(ctx, userBulk(id, "a", "1")))
	if again.GetDetails().GetSequence() != d.GetSequence() || e.srv.UserSequence(id) != before+2 {
		t.Fatalf("unchanged BulkSet: details %v, sequence %d", again.GetDetails(), e.srv.UserSequence(id))
	}

	list := e.v1List(t, e.fx.OwnerToken, org, &management.ListUserMetadataRequest{Id: id})
	if v1UserKeys(list) != "a,b" || list.GetDetails().GetTotalResult() != 2 || list.GetDetails().GetViewTimestamp() == nil {
		t.Fatalf("list %v", list)
	}
	item := list.GetResult()[0]
	if string(item.GetValue()) != "1" || item.GetDetails().GetResourceOwner() != org || item.GetDetails().GetSequence() != before+1 || item.GetDetails().GetCreationDate() == nil {
		t.Fatalf("item %v", item)
	}
	// v1 has no maximum limit; queries filter as for organizations.
	e.v1List(t, e.fx.OwnerToken, org, &management.ListUserMetadataRequest{Id: id, Query: &object.ListQuery{Limit: 1001}})
	filtered := e.v1List(t, e.fx.OwnerToken, org, &management.ListUserMetadataRequest{Id: id, Queries: []*mdpb.MetadataQuery{keyQuery("B", object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE)}})
	if v1UserKeys(filtered) != "b" {
		t.Fatalf("filtered %q", v1UserKeys(filtered))
	}
	// Without the header the caller's own organization is used: the owner's
	// is the user's.
	if got := v1UserKeys(e.v1List(t, e.fx.OwnerToken, "", &management.ListUserMetadataRequest{Id: id})); got != "a,b" {
		t.Fatalf("without header %q", got)
	}

	rm := must(e.v1.BulkRemoveUserMetadata(ctx, userRemove(id, "a")))
	if rm.GetDetails().GetSequence() != before+3 || rm.GetDetails().GetResourceOwner() != org {
		t.Fatalf("BulkRemove details %v", rm.GetDetails())
	}
	if got := e.srv.UserKeys(id); len(got) != 1 || got[0] != "b" || len(e.srv.Metadata(org)) != 0 {
		t.Fatalf("user keys %v, org metadata %v", got, e.srv.Metadata(org))
	}
}

func TestUserV1Validation(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	ctx, id := as(e.fx.OwnerToken, e.fx.OrgID), e.fx.UserID
	if _, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, strings.Repeat("ä", 200), "v", "big", string(make([]byte, 500000)))); err != nil {
		t.Fatalf("200 runes and 500000 bytes rejected: %v", err)
	}
	_, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, "ok", "v", "empty", ""))
	wantErr(t, err, codes.InvalidArgument, "invalid BulkSetUserMetadataRequest.Metadata[1]: embedded message failed validation | caused by: invalid BulkSetUserMetadataRequest_Metadata.Value: value length must be between 1 and 500000 bytes, inclusive", "")
	_, err = e.v1.BulkSetUserMetadata(ctx, userBulk(id, strings.Repeat("a", 201), "v"))
	wantErr(t, err, codes.InvalidArgument, "invalid BulkSetUserMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid BulkSetUserMetadataRequest_Metadata.Key: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.v1.BulkSetUserMetadata(ctx, userBulk("", "k", "v"))
	wantErr(t, err, codes.InvalidArgument, "invalid BulkSetUserMetadataRequest.Id: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.v1.BulkRemoveUserMetadata(ctx, userRemove(id, "ok", ""))
	wantErr(t, err, codes.InvalidArgument, "invalid BulkRemoveUserMetadataRequest.Keys[1]: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.v1.ListUserMetadata(ctx, &management.ListUserMetadataRequest{Id: id, Queries: []*mdpb.MetadataQuery{keyQuery("k", 99)}})
	wantErr(t, err, codes.InvalidArgument, "invalid ListUserMetadataRequest.Queries[0]: embedded message failed validation | caused by: invalid MetadataQuery.KeyQuery: embedded message failed validation | caused by: invalid MetadataKeyQuery.Method: value must be one of the defined enum values", "")
	if _, ok := e.srv.UserMetadata(id)["ok"]; ok {
		t.Fatal("a rejected request wrote")
	}

	quirky := startUsers(t, fakezitadel.Options{UnknownWrapQuirk: true})
	_, err = quirky.v1.BulkSetUserMetadata(as(quirky.fx.OwnerToken, quirky.fx.OrgID), userBulk(quirky.fx.UserID, "", "v"))
	wantErr(t, err, codes.Unknown, "rpc error: code = InvalidArgument desc = invalid BulkSetUserMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid BulkSetUserMetadataRequest_Metadata.Key: value length must be between 1 and 200 runes, inclusive ()", "")
	// Errors with an id keep their code.
	_, err = quirky.v1.BulkRemoveUserMetadata(as(quirky.fx.OwnerToken, quirky.fx.OrgID), userRemove(quirky.fx.UserID, "nope"))
	wantErr(t, err, codes.NotFound, "One or more keys do not exist (META-2nnds)", "META-2nnds")
}

// TestUserV1EmptyListsAndMissingKeys: empty lists fail before the user is
// looked at, a remove naming a missing key fails whole with the user
// command's id (META-2nnds, not the organization's META-2npds).
func TestUserV1EmptyListsAndMissingKeys(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	ctx, id := as(e.fx.OwnerToken, e.fx.OrgID), e.fx.UserID
	for _, user := range []string{id, "123"} {
		_, err := e.v1.BulkSetUserMetadata(ctx, userBulk(user))
		wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
		_, err = e.v1.BulkRemoveUserMetadata(ctx, userRemove(user))
		wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
	}
	e.srv.SetUserMetadata(id, "a", []byte("1"))
	before := e.srv.UserSequence(id)
	_, err := e.v1.BulkRemoveUserMetadata(ctx, userRemove(id, "a", "missing"))
	wantErr(t, err, codes.NotFound, "One or more keys do not exist (META-2nnds)", "META-2nnds")
	if len(e.srv.UserKeys(id)) != 1 || e.srv.UserSequence(id) != before {
		t.Fatal("a failed remove removed something")
	}
	// Duplicates are accepted, one event each.
	if _, err := e.v1.BulkRemoveUserMetadata(ctx, userRemove(id, "a", "a")); err != nil {
		t.Fatal(err)
	}
	if e.srv.UserSequence(id) != before+2 || len(e.srv.UserKeys(id)) != 0 {
		t.Fatalf("sequence moved by %d, keys %v", e.srv.UserSequence(id)-before, e.srv.UserKeys(id))
	}
}

// TestUserV1UserNotInOrganization: a user of another organization than the
// header's, a user id that never existed and a removed user look alike:
// writes fail with COMMAND-uXHNj, the list is empty, and only the lookup
// says the user is not there (QUERY-Dfbg2; MANAG-fpo4B for a user of
// another organization, as ZITADEL v4.13.1 answers).
func TestUserV1UserNotInOrganization(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	e.srv.SetUserMetadata(e.fx.UserID, "k", []byte("v"))
	removed := e.srv.AddMachineUser(e.fx.OrgID, "gone")
	e.srv.SetUserMetadata(removed, "k", []byte("v"))
	if err := e.srv.RemoveUser(removed); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, org, user, lookupID string }{
		// The owner holds ORG_OWNER in the second organization too.
		{"other organization in the header", e.fx.SecondOrgID, e.fx.UserID, "MANAG-fpo4B"},
		{"never existed", e.fx.OrgID, "123", "QUERY-Dfbg2"},
		{"removed", e.fx.OrgID, removed, "QUERY-Dfbg2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := as(e.fx.OwnerToken, c.org)
			_, err := e.v1.BulkSetUserMetadata(ctx, userBulk(c.user, "k", "w"))
			wantErr(t, err, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
			_, err = e.v1.BulkRemoveUserMetadata(ctx, userRemove(c.user, "k"))
			wantErr(t, err, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
			list := e.v1List(t, e.fx.OwnerToken, c.org, &management.ListUserMetadataRequest{Id: c.user})
			if len(list.GetResult()) != 0 || list.GetDetails().GetTotalResult() != 0 {
				t.Fatalf("list %v, want OK and empty", list)
			}
			_, err = e.v1.GetUserByID(ctx, &management.GetUserByIDRequest{Id: c.user})
			wantErr(t, err, codes.NotFound, "User could not be found ("+c.lookupID+")", c.lookupID)
		})
	}
	if string(e.srv.UserMetadata(e.fx.UserID)["k"]) != "v" {
		t.Fatal("a failed write changed the user")
	}
}

func TestUserV1Permissions(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	org, id := e.fx.OrgID, e.fx.UserID
	e.srv.SetUserMetadata(id, "k", []byte("v"))
	// Readers: the viewer roles read, and cannot write.
	for _, token := range []string{e.fx.ViewerToken, e.caller("IAM_OWNER_VIEWER")} {
		if got := v1UserKeys(e.v1List(t, token, org, &management.ListUserMetadataRequest{Id: id})); got != "k" {
			t.Fatalf("viewer reads %q", got)
		}
		if _, err := e.v1.GetUserByID(as(token, org), &management.GetUserByIDRequest{Id: id}); err != nil {
			t.Fatalf("viewer lookup: %v", err)
		}
		_, err := e.v1.BulkSetUserMetadata(as(token, org), userBulk(id, "k", "w"))
		wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
		_, err = e.v1.BulkRemoveUserMetadata(as(token, org), userRemove(id, "k"))
		wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	}
	// org.write is not user.write.
	_, err := e.v1.BulkSetUserMetadata(as(e.caller("ORG_SETTINGS_MANAGER"), org), userBulk(id, "k", "w"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	// No membership at all: NotFound, on reads too.
	_, err = e.v1.ListUserMetadata(as(e.fx.OutsiderToken, org), &management.ListUserMetadataRequest{Id: id})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	_, err = e.v1.BulkSetUserMetadata(as(e.fx.OutsiderToken, org), userBulk(id, "k", "w"))
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	if string(e.srv.UserMetadata(id)["k"]) != "v" {
		t.Fatal("a refused write wrote")
	}
	// Writers: the user manager (which may not write the organization's own
	// metadata), the owner and the instance owner, in either organization.
	manager := e.caller("ORG_USER_MANAGER")
	if _, err := e.v1.BulkSetUserMetadata(as(manager, org), userBulk(id, "m", "1")); err != nil {
		t.Fatalf("user manager: %v", err)
	}
	if _, err := e.v1.BulkRemoveUserMetadata(as(manager, org), userRemove(id, "m")); err != nil {
		t.Fatalf("user manager remove: %v", err)
	}
	_, err = e.mc.BulkSetOrgMetadata(as(manager, org), bulk("k", "v"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	for _, token := range []string{e.fx.OwnerToken, e.fx.AdminToken} {
		if _, err := e.v1.BulkSetUserMetadata(as(token, e.fx.SecondOrgID), userBulk(e.fx.SecondUserID, "k", token[:8])); err != nil {
			t.Fatalf("write in the second organization: %v", err)
		}
	}
}

// TestUserV1Lifecycle: AddMachineUser, GetUserByID, DeactivateUser and
// RemoveUser in the organization of the call.
func TestUserV1Lifecycle(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	org := e.fx.SecondOrgID
	ctx := as(e.fx.OwnerToken, org)
	added := must(e.v1.AddMachineUser(ctx, &management.AddMachineUserRequest{UserName: "bot", Name: "Bot", Description: "does things"}))
	id := added.GetUserId()
	if id == "" || added.GetDetails().GetResourceOwner() != org || added.GetDetails().GetSequence() != 1 || added.GetDetails().GetCreationDate() == nil {
		t.Fatalf("AddMachineUser %v", added)
	}
	got := must(e.v1.GetUserByID(ctx, &management.GetUserByIDRequest{Id: id})).GetUser()
	if got.GetId() != id || got.GetState() != userpb.UserState_USER_STATE_ACTIVE || got.GetUserName() != "bot" || got.GetDetails().GetResourceOwner() != org ||
		got.GetMachine().GetName() != "Bot" || got.GetMachine().GetDescription() != "does things" {
		t.Fatalf("GetUserByID %v", got)
	}
	// The fixture's callers are human users.
	if h := must(e.v1.GetUserByID(e.owner(), &management.GetUserByIDRequest{Id: e.fx.OwnerID})).GetUser(); h.GetHuman() == nil {
		t.Fatalf("owner %v, want a human user", h)
	}
	_, err := e.v1.AddMachineUser(ctx, &management.AddMachineUserRequest{Name: "Bot"})
	wantErr(t, err, codes.InvalidArgument, "invalid AddMachineUserRequest.UserName: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.v1.AddMachineUser(ctx, &management.AddMachineUserRequest{UserName: "bot"})
	wantErr(t, err, codes.InvalidArgument, "invalid AddMachineUserRequest.Name: value length must be between 1 and 200 runes, inclusive", "")
	chosen := "my-bot"
	if resp := must(e.v1.AddMachineUser(ctx, &management.AddMachineUserRequest{UserName: "b2", Name: "B2", UserId: &chosen})); resp.GetUserId() != chosen {
		t.Fatalf("chosen id: %v", resp)
	}
	_, err = e.v1.AddMachineUser(ctx, &management.AddMachineUserRequest{UserName: "b3", Name: "B3", UserId: &chosen})
	wantErr(t, err, codes.FailedPrecondition, "Errors.User.AlreadyExisting (COMMAND-k2una)", "COMMAND-k2una")
	_, err = e.v1.AddMachineUser(as(e.fx.ViewerToken, e.fx.OrgID), &management.AddMachineUserRequest{UserName: "v", Name: "V"})
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")

	deactivated := must(e.v1.DeactivateUser(ctx, &management.DeactivateUserRequest{Id: id}))
	if deactivated.GetDetails().GetSequence() != 2 || deactivated.GetDetails().GetResourceOwner() != org {
		t.Fatalf("DeactivateUser %v", deactivated)
	}
	if got := must(e.v1.GetUserByID(ctx, &management.GetUserByIDRequest{Id: id})).GetUser(); got.GetState() != userpb.UserState_USER_STATE_INACTIVE {
		t.Fatalf("state %v after deactivation", got.GetState())
	}
	_, err = e.v1.DeactivateUser(ctx, &management.DeactivateUserRequest{Id: id})
	wantErr(t, err, codes.FailedPrecondition, "User already inactive (COMMAND-5M0sf)", "COMMAND-5M0sf")
	_, err = e.v1.DeactivateUser(e.owner(), &management.DeactivateUserRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (COMMAND-3M9ds)", "COMMAND-3M9ds")

	_, err = e.v1.RemoveUser(e.owner(), &management.RemoveUserRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (COMMAND-m9od)", "COMMAND-m9od")
	removed := must(e.v1.RemoveUser(ctx, &management.RemoveUserRequest{Id: id}))
	if removed.GetDetails().GetSequence() != 3 {
		t.Fatalf("RemoveUser %v", removed)
	}
	_, err = e.v1.GetUserByID(ctx, &management.GetUserByIDRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	_, err = e.v1.RemoveUser(ctx, &management.RemoveUserRequest{Id: id})
	wantErr(t, err, codes.NotFound, "User could not be found (COMMAND-m9od)", "COMMAND-m9od")
	// A removed user's tokens no longer authenticate.
	if err := e.srv.RemoveUser(e.fx.ViewerID); err != nil {
		t.Fatal(err)
	}
	_, err = e.v1.ListUserMetadata(as(e.fx.ViewerToken, e.fx.OrgID), &management.ListUserMetadataRequest{Id: e.fx.UserID})
	wantErr(t, err, codes.Unauthenticated, "Errors.Token.Invalid (AUTH-7fs1e)", "AUTH-7fs1e")
}

// TestUserDeactivatedKeepsWorking: a deactivated user keeps its metadata,
// and every metadata call of both APIs works on it as on an active one.
func TestUserDeactivatedKeepsWorking(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	id := e.fx.UserID
	e.srv.SetUserMetadata(id, "before", []byte("v"))
	if err := e.srv.DeactivateUser(id); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.DeactivateUser(id); err == nil {
		t.Fatal("deactivated twice")
	}
	ctx := as(e.fx.OwnerToken, e.fx.OrgID)
	if _, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, "v1", "1")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.uc.SetUserMetadata(ctx, userSet(id, "v2", "2")); err != nil {
		t.Fatal(err)
	}
	if got := v1UserKeys(e.v1List(t, e.fx.OwnerToken, e.fx.OrgID, &management.ListUserMetadataRequest{Id: id})); got != "before,v1,v2" {
		t.Fatalf("v1 list %q", got)
	}
	if got := e.v2List(t, e.fx.OwnerToken, id, nil); len(got.GetMetadata()) != 3 {
		t.Fatalf("v2 list %v", got)
	}
	if _, err := e.v1.BulkRemoveUserMetadata(ctx, userRemove(id, "v1")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.uc.DeleteUserMetadata(ctx, &userv2.DeleteUserMetadataRequest{UserId: id, Keys: []string{"v2"}}); err != nil {
		t.Fatal(err)
	}
	got := must(e.uc.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id}))
	if got.GetUser().GetState() != userv2.UserState_USER_STATE_INACTIVE {
		t.Fatalf("v2 state %v", got.GetUser().GetState())
	}
	if keys := e.srv.UserKeys(id); len(keys) != 1 || keys[0] != "before" {
		t.Fatalf("keys %v", keys)
	}
}
