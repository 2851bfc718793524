package fakezitadel_test

// Contract tests for user metadata over the user service v2 (contract
// section 4): the user is named in the request, its organization is its
// own, permissions are checked inside the call and the list filters by
// permission but leaks the total. Then what the user calls share with every
// other call: counts, faults, write conflicts, switched-off services and
// list order.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func userSet(id string, kvs ...string) *userv2.SetUserMetadataRequest {
	return &userv2.SetUserMetadataRequest{UserId: id, Metadata: items(func(k string, v []byte) *userv2.Metadata {
		return &userv2.Metadata{Key: k, Value: v}
	}, kvs...)}
}

func userDelete(id string, keys ...string) *userv2.DeleteUserMetadataRequest {
	return &userv2.DeleteUserMetadataRequest{UserId: id, Keys: keys}
}

// v2List lists a user's metadata over v2 as token, failing the test on an
// error.
func (e *userEnv) v2List(t *testing.T, token, id string, p *filterv2.PaginationRequest) *userv2.ListUserMetadataResponse {
	t.Helper()
	resp, err := e.uc.ListUserMetadata(as(token, ""), &userv2.ListUserMetadataRequest{UserId: id, Pagination: p})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func v2UserKeys(resp *userv2.ListUserMetadataResponse) []string {
	return itemKeys(resp.GetMetadata())
}

// TestUserV2SetListDelete: v1's commands, deletion by an empty value, no
// header needed (one naming an organization that does not exist is
// ignored).
func TestUserV2SetListDelete(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	id := e.fx.SecondUserID
	ctx := as(e.fx.OwnerToken, "123")
	before := e.srv.UserSequence(id)
	set, err := e.uc.SetUserMetadata(ctx, userSet(id, "a", "1", "b", "2"))
	if err != nil || set.GetSetDate() == nil || e.srv.UserSequence(id) != before+2 {
		t.Fatalf("set: %v, %v, %d events", err, set, e.srv.UserSequence(id)-before)
	}
	again := must(e.uc.SetUserMetadata(ctx, userSet(id, "a", "1")))
	if !again.GetSetDate().AsTime().Equal(set.GetSetDate().AsTime()) || e.srv.UserSequence(id) != before+2 {
		t.Fatal("an unchanged set wrote")
	}
	// An empty value deletes (one event); for an absent key it is a no-op.
	must(e.uc.SetUserMetadata(ctx, userSet(id, "a", "", "never", "")))
	if keys := e.srv.UserKeys(id); !slices.Equal(keys, []string{"b"}) || e.srv.UserSequence(id) != before+3 {
		t.Fatalf("keys %v after %d events", keys, e.srv.UserSequence(id)-before)
	}
	list := e.v2List(t, e.fx.OwnerToken, id, nil)
	if !slices.Equal(v2UserKeys(list), []string{"b"}) || list.GetPagination().GetTotalResult() != 1 || string(list.GetMetadata()[0].GetValue()) != "2" ||
		list.GetMetadata()[0].GetCreationDate() == nil || list.GetMetadata()[0].GetChangeDate() == nil {
		t.Fatalf("list %v", list)
	}
	del := must(e.uc.DeleteUserMetadata(ctx, userDelete(id, "b")))
	if del.GetDeletionDate() == nil || len(e.srv.UserKeys(id)) != 0 {
		t.Fatalf("delete %v, keys %v", del, e.srv.UserKeys(id))
	}

	_, err = e.uc.SetUserMetadata(ctx, userSet(id))
	wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
	_, err = e.uc.DeleteUserMetadata(ctx, userDelete(id))
	wantErr(t, err, codes.FailedPrecondition, "Metadata list is empty (META-9mm2d)", "META-9mm2d")
	e.srv.SetUserMetadata(id, "kept", []byte("v"))
	_, err = e.uc.DeleteUserMetadata(ctx, userDelete(id, "kept", "missing"))
	wantErr(t, err, codes.NotFound, "One or more keys do not exist (META-2nnds)", "META-2nnds")
	if len(e.srv.UserKeys(id)) != 1 {
		t.Fatal("a failed delete removed something")
	}

	_, err = e.uc.SetUserMetadata(ctx, userSet(id, "big", string(make([]byte, 500001))))
	wantErr(t, err, codes.InvalidArgument, "invalid SetUserMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid Metadata.Value: value length must be at most 500000 bytes", "")
	_, err = e.uc.SetUserMetadata(ctx, userSet("", "k", "v"))
	wantErr(t, err, codes.InvalidArgument, "invalid SetUserMetadataRequest.UserId: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.uc.DeleteUserMetadata(ctx, userDelete(id, strings.Repeat("k", 201)))
	wantErr(t, err, codes.InvalidArgument, "invalid DeleteUserMetadataRequest.Keys[0]: value length must be between 1 and 200 runes, inclusive", "")
	_, err = e.uc.ListUserMetadata(ctx, &userv2.ListUserMetadataRequest{UserId: id, Filters: []*mdv2.MetadataSearchFilter{keyFilter("k", 99)}})
	wantErr(t, err, codes.InvalidArgument, "invalid ListUserMetadataRequest.Filters[0]: embedded message failed validation | caused by: invalid MetadataSearchFilter.KeyFilter: embedded message failed validation | caused by: invalid MetadataKeyFilter.Method: value must be one of the defined enum values", "")
}

func TestUserV2ListPaging(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	id, tok := e.fx.UserID, e.fx.OwnerToken
	for i := range 1050 {
		e.srv.SetUserMetadata(id, fmt.Sprintf("k%04d", i), []byte("v"))
	}
	cases := []struct {
		name           string
		pagination     *filterv2.PaginationRequest
		n              int
		total, applied uint64
	}{
		{"default", &filterv2.PaginationRequest{}, 100, 1050, 100},
		// Unlike the organization service's 0 (contract section 4).
		{"no pagination", nil, 100, 1050, 100},
		{"limit 1000", &filterv2.PaginationRequest{Limit: 1000}, 1000, 1050, 1000},
		{"last page", &filterv2.PaginationRequest{Offset: 1000, Limit: 1000}, 50, 1050, 1000},
		{"past the end", &filterv2.PaginationRequest{Offset: 2000}, 0, 0, 100},
	}
	for _, c := range cases {
		resp := e.v2List(t, tok, id, c.pagination)
		wantPage(t, c.name, len(resp.GetMetadata()), resp.GetPagination(), c.n, c.total, c.applied)
	}
	_, err := e.uc.ListUserMetadata(as(tok, ""), &userv2.ListUserMetadataRequest{UserId: id, Pagination: &filterv2.PaginationRequest{Limit: 1001}})
	wantErr(t, err, codes.InvalidArgument, "Limit exceeded (QUERY-4M0fs)", "QUERY-4M0fs")
	filtered := must(e.uc.ListUserMetadata(as(tok, ""), &userv2.ListUserMetadataRequest{UserId: id, Filters: []*mdv2.MetadataSearchFilter{keyFilter("k104", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH)}}))
	if got := v2UserKeys(filtered); len(got) != 10 || got[0] != "k1040" {
		t.Fatalf("filtered %v", got)
	}
	// v1 knows no maximum.
	if got := e.v1List(t, tok, e.fx.OrgID, &management.ListUserMetadataRequest{Id: id}); len(got.GetResult()) != 1050 {
		t.Fatalf("v1 list %d results", len(got.GetResult()))
	}
}

// TestUserV2Permissions: writes need user.write in the user's
// organization; the list is filtered by user.read but leaks the total; the
// lookup tells "no membership" from "no user".
func TestUserV2Permissions(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	id := e.fx.UserID
	e.srv.SetUserMetadata(id, "a", []byte("1"))
	e.srv.SetUserMetadata(id, "b", []byte("2"))

	viewer := as(e.fx.ViewerToken, "")
	if got := e.v2List(t, e.fx.ViewerToken, id, nil); len(got.GetMetadata()) != 2 || got.GetPagination().GetTotalResult() != 2 {
		t.Fatalf("viewer list %v", got)
	}
	if got := must(e.uc.GetUserByID(viewer, &userv2.GetUserByIDRequest{UserId: id})); got.GetUser().GetDetails().GetResourceOwner() != e.fx.OrgID {
		t.Fatalf("viewer lookup %v", got)
	}
	_, err := e.uc.SetUserMetadata(viewer, userSet(id, "a", "x"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-AWfge)", "AUTH-AWfge")
	_, err = e.uc.DeleteUserMetadata(viewer, userDelete(id, "a"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-AWfge)", "AUTH-AWfge")
	_, err = e.uc.SetUserMetadata(as(e.caller("ORG_SETTINGS_MANAGER"), ""), userSet(id, "a", "x"))
	wantErr(t, err, codes.PermissionDenied, "No matching permissions found (AUTH-AWfge)", "AUTH-AWfge")

	outsider := as(e.fx.OutsiderToken, "")
	list := e.v2List(t, e.fx.OutsiderToken, id, nil)
	if len(list.GetMetadata()) != 0 || list.GetPagination().GetTotalResult() != 2 {
		t.Fatalf("outsider list %v, want no entries and the total leaked (2)", list)
	}
	_, err = e.uc.SetUserMetadata(outsider, userSet(id, "a", "x"))
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	_, err = e.uc.DeleteUserMetadata(outsider, userDelete(id, "a"))
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	_, err = e.uc.GetUserByID(outsider, &userv2.GetUserByIDRequest{UserId: id})
	wantErr(t, err, codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk")
	// The user is looked up before the permission: a missing user is
	// missing whoever asks.
	_, err = e.uc.SetUserMetadata(outsider, userSet("123", "a", "x"))
	wantErr(t, err, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
	_, err = e.uc.GetUserByID(outsider, &userv2.GetUserByIDRequest{UserId: "123"})
	wantErr(t, err, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	if md := e.srv.UserMetadata(id); string(md["a"]) != "1" || len(md) != 2 {
		t.Fatalf("refused writes wrote: %v", md)
	}

	for name, token := range map[string]string{"user manager": e.caller("ORG_USER_MANAGER"), "owner": e.fx.OwnerToken, "instance owner": e.fx.AdminToken} {
		if _, err := e.uc.SetUserMetadata(as(token, ""), userSet(id, name, "1")); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := e.uc.DeleteUserMetadata(as(token, ""), userDelete(id, name)); err != nil {
			t.Fatalf("%s delete: %v", name, err)
		}
	}
	if _, err := e.uc.SetUserMetadata(as(e.fx.AdminToken, ""), userSet(e.fx.SecondUserID, "k", "v")); err != nil {
		t.Fatalf("instance owner in the second organization: %v", err)
	}
}

// TestUserV2MissingAndRemovedUser: writes fail with COMMAND-uXHNj, the list
// is empty with total 0, the lookup answers QUERY-Dfbg2.
func TestUserV2MissingAndRemovedUser(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	removed := e.srv.AddMachineUser(e.fx.OrgID, "gone")
	e.srv.SetUserMetadata(removed, "k", []byte("v"))
	if _, err := e.v1.RemoveUser(e.owner(), &management.RemoveUserRequest{Id: removed}); err != nil {
		t.Fatal(err)
	}
	ctx := as(e.fx.AdminToken, "")
	for _, id := range []string{"123", removed} {
		_, err := e.uc.SetUserMetadata(ctx, userSet(id, "k", "w"))
		wantErr(t, err, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
		_, err = e.uc.DeleteUserMetadata(ctx, userDelete(id, "k"))
		wantErr(t, err, codes.FailedPrecondition, "User could not be found (COMMAND-uXHNj)", "COMMAND-uXHNj")
		if list := e.v2List(t, e.fx.AdminToken, id, nil); len(list.GetMetadata()) != 0 || list.GetPagination().GetTotalResult() != 0 {
			t.Fatalf("%s: list %v", id, list)
		}
		_, err = e.uc.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id})
		wantErr(t, err, codes.NotFound, "User could not be found (QUERY-Dfbg2)", "QUERY-Dfbg2")
	}
	// The store keeps what the removed user had, as for organizations.
	if string(e.srv.UserMetadata(removed)["k"]) != "v" {
		t.Fatal("UserMetadata lost a removed user's metadata")
	}
	got := must(e.uc.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: e.fx.SecondUserID}))
	u := got.GetUser()
	if u.GetUserId() != e.fx.SecondUserID || u.GetState() != userv2.UserState_USER_STATE_ACTIVE || u.GetMachine() == nil || u.GetUsername() != "second-bot" ||
		got.GetDetails().GetResourceOwner() != e.fx.SecondOrgID || u.GetDetails().GetResourceOwner() != e.fx.SecondOrgID {
		t.Fatalf("GetUserByID %v", got)
	}
}

// TestUserCallsCountsAndFaults: the user calls are counted and faulted
// under their gRPC method names; v1 and v2 share ListUserMetadata and
// GetUserByID, which the qualified names tell apart.
func TestUserCallsCountsAndFaults(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{})
	id, ctx := e.fx.UserID, e.owner()
	e.srv.InjectFault("BulkSetUserMetadata", 1, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
	_, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, "k", "v"))
	wantErr(t, err, codes.Unknown, fakezitadel.WriteConflictMessage, "")
	if len(e.srv.UserKeys(id)) != 0 {
		t.Fatal("a failed call wrote")
	}
	must(e.v1.BulkSetUserMetadata(ctx, userBulk(id, "k", "v")))
	must(e.uc.SetUserMetadata(ctx, userSet(id, "k2", "v")))
	e.v1List(t, e.fx.OwnerToken, e.fx.OrgID, &management.ListUserMetadataRequest{Id: id})
	e.v2List(t, e.fx.OwnerToken, id, nil)
	e.v2List(t, e.fx.OwnerToken, id, &filterv2.PaginationRequest{Offset: 1})
	for name, want := range map[string]int{
		"BulkSetUserMetadata": 2,
		"SetUserMetadata":     1,
		"ListUserMetadata":    3,
		"zitadel.management.v1.ManagementService/ListUserMetadata": 1,
		userv2.UserService_ListUserMetadata_FullMethodName:         2,
		"zitadel.user.v2.UserService/GetUserByID":                  0,
	} {
		if got := e.srv.Calls(name); got != want {
			t.Errorf("Calls(%s) = %d, want %d", name, got, want)
		}
	}
	if got := e.srv.Searches(); got != 2 {
		t.Errorf("Searches() = %d, want 2 (the first pages)", got)
	}
	if got := e.srv.AllCalls()["ListUserMetadata"]; got != 3 {
		t.Errorf("AllCalls()[ListUserMetadata] = %d", got)
	}

	// A fault for the qualified name hits one service only; one for the name
	// both.
	e.srv.InjectFault("zitadel.user.v2.UserService/ListUserMetadata", 1, fakezitadel.Fault{Code: codes.Unavailable, Message: "later"})
	e.v1List(t, e.fx.OwnerToken, e.fx.OrgID, &management.ListUserMetadataRequest{Id: id})
	_, err = e.uc.ListUserMetadata(ctx, &userv2.ListUserMetadataRequest{UserId: id})
	wantErr(t, err, codes.Unavailable, "later", "")
	e.srv.InjectFault("GetUserByID", 2, fakezitadel.Fault{Code: codes.Internal, Message: "boom"})
	_, err = e.v1.GetUserByID(ctx, &management.GetUserByIDRequest{Id: id})
	wantErr(t, err, codes.Internal, "boom", "")
	_, err = e.uc.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id})
	wantErr(t, err, codes.Internal, "boom", "")
	must(e.uc.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id}))
	e.srv.ResetCalls()
	if got := e.srv.Calls(userv2.UserService_GetUserByID_FullMethodName); got != 0 {
		t.Errorf("after ResetCalls: %d", got)
	}
}

// TestUserWriteConflicts: a user is an event stream of its own: two writes
// of one user collide whatever the API, writes of two users or of a user
// and its organization do not.
func TestUserWriteConflicts(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{WriteConflicts: true, WriteWindow: conflictWindow})
	ctx, id, org := e.owner(), e.fx.UserID, e.fx.OrgID
	other := e.srv.AddMachineUser(org, "other")
	// Connections up before the race.
	e.v1List(t, e.fx.OwnerToken, org, &management.ListUserMetadataRequest{Id: id})
	e.v2List(t, e.fx.OwnerToken, id, nil)

	errs := concurrently(
		func() error { _, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, "x", "1")); return err },
		func() error { _, err := e.uc.SetUserMetadata(ctx, userSet(id, "y", "1")); return err },
	)
	winner(t, errs)
	if n := len(e.srv.UserKeys(id)); n != 1 {
		t.Fatalf("%d keys after one conflict, want 1", n)
	}
	e.srv.SetUserMetadata(id, "r", []byte("1"))
	errs = concurrently(
		func() error { _, err := e.v1.BulkRemoveUserMetadata(ctx, userRemove(id, "r")); return err },
		func() error { _, err := e.uc.DeleteUserMetadata(ctx, userDelete(id, "r")); return err },
	)
	winner(t, errs)
	errs = concurrently(
		func() error { _, err := e.v1.BulkSetUserMetadata(ctx, userBulk(id, "p", "1")); return err },
		func() error { _, err := e.v1.BulkSetUserMetadata(ctx, userBulk(other, "p", "1")); return err },
		func() error { _, err := e.mc.BulkSetOrgMetadata(ctx, bulk("p", "1")); return err },
	)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v; different owners must not conflict", i, err)
		}
	}
	if n := e.srv.WriteConflicts(); n != 2 {
		t.Fatalf("WriteConflicts() = %d, want 2", n)
	}
}

// TestUserDisabledServices: DisableV2 switches off the user service v2,
// DisableV1 the v1 user calls.
func TestUserDisabledServices(t *testing.T) {
	t.Run("v2", func(t *testing.T) {
		e := startUsers(t, fakezitadel.Options{DisableV2: true})
		ctx, id := as(e.fx.OwnerToken, ""), e.fx.UserID
		_, err := e.uc.SetUserMetadata(ctx, userSet(id, "k", "v"))
		wantUnimplemented(t, "SetUserMetadata", err)
		_, err = e.uc.ListUserMetadata(ctx, &userv2.ListUserMetadataRequest{UserId: id})
		wantUnimplemented(t, "ListUserMetadata", err)
		_, err = e.uc.DeleteUserMetadata(ctx, userDelete(id, "k"))
		wantUnimplemented(t, "DeleteUserMetadata", err)
		_, err = e.uc.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id})
		wantUnimplemented(t, "GetUserByID", err)
		must(e.v1.BulkSetUserMetadata(e.owner(), userBulk(id, "k", "v")))
		must(e.v1.GetUserByID(e.owner(), &management.GetUserByIDRequest{Id: id}))
		if got := e.srv.Calls("SetUserMetadata"); got != 1 {
			t.Fatalf("refused calls counted %d, want 1", got)
		}
	})
	t.Run("v1", func(t *testing.T) {
		e := startUsers(t, fakezitadel.Options{DisableV1: true})
		id := e.fx.UserID
		_, err := e.v1.BulkSetUserMetadata(e.owner(), userBulk(id, "k", "v"))
		wantUnimplemented(t, "BulkSetUserMetadata", err)
		_, err = e.v1.ListUserMetadata(e.owner(), &management.ListUserMetadataRequest{Id: id})
		wantUnimplemented(t, "ListUserMetadata", err)
		_, err = e.v1.AddMachineUser(e.owner(), &management.AddMachineUserRequest{UserName: "b", Name: "B"})
		wantUnimplemented(t, "AddMachineUser", err)
		must(e.uc.SetUserMetadata(as(e.fx.OwnerToken, ""), userSet(id, "k", "v")))
		if len(e.srv.UserKeys(id)) != 1 {
			t.Fatal("v2 write lost")
		}
	})
	// Calls of unimplemented methods of the user service answer
	// Unimplemented too.
	e := startUsers(t, fakezitadel.Options{})
	_, err := e.uc.DeactivateUser(as(e.fx.OwnerToken, ""), &userv2.DeactivateUserRequest{UserId: e.fx.UserID})
	wantUnimplemented(t, "DeactivateUser", err)
}

// TestUserShuffleLists: user lists of both APIs answer the one stable,
// unsorted order.
func TestUserShuffleLists(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{ShuffleLists: true})
	id := e.fx.UserID
	var keys []string
	for i := range 50 {
		k := fmt.Sprintf("key%02d", i)
		keys = append(keys, k)
		e.srv.SetUserMetadata(id, k, []byte("v"))
	}
	fromV1 := strings.Split(v1UserKeys(e.v1List(t, e.fx.OwnerToken, e.fx.OrgID, &management.ListUserMetadataRequest{Id: id})), ",")
	fromV2 := v2UserKeys(e.v2List(t, e.fx.OwnerToken, id, nil))
	if slices.IsSorted(fromV1) || !sameKeys(fromV1, keys) || !slices.Equal(fromV1, fromV2) {
		t.Fatalf("v1 %v, v2 %v: want the same unsorted order of all keys", fromV1, fromV2)
	}
	if again := v2UserKeys(e.v2List(t, e.fx.OwnerToken, id, nil)); !slices.Equal(again, fromV2) {
		t.Fatal("the order changed between calls")
	}
}

// TestReorderLists: every request lists the matches in another order, so
// offset pages overlap and miss keys although nothing changed, as the user
// service v2 pages the keys of one bulk write (contract section 4); what a
// page holds still follows the filters, the limit and the total.
func TestReorderLists(t *testing.T) {
	e := startUsers(t, fakezitadel.Options{ReorderLists: true})
	id := e.fx.UserID
	var keys []string
	for i := range 200 {
		k := fmt.Sprintf("key%03d", i)
		keys = append(keys, k)
		e.srv.SetUserMetadata(id, k, []byte("v"))
	}
	first := v2UserKeys(e.v2List(t, e.fx.OwnerToken, id, &filterv2.PaginationRequest{Limit: 200}))
	if !sameKeys(first, keys) {
		t.Fatalf("one page of all: %v", first)
	}
	orders := map[string]bool{}
	incomplete := 0
	for range 5 {
		whole := v2UserKeys(e.v2List(t, e.fx.OwnerToken, id, &filterv2.PaginationRequest{Limit: 200}))
		orders[strings.Join(whole, ",")] = true
		var read []string
		for offset := uint64(0); offset < 200; offset += 50 {
			resp := e.v2List(t, e.fx.OwnerToken, id, &filterv2.PaginationRequest{Offset: offset, Limit: 50})
			wantPage(t, "a page", len(resp.GetMetadata()), resp.GetPagination(), 50, 200, 50)
			read = append(read, v2UserKeys(resp)...)
		}
		slices.Sort(read)
		if len(slices.Compact(read)) < 200 {
			incomplete++
		}
	}
	// Four pages of a new random order each all but never hold every key.
	if len(orders) < 2 || incomplete == 0 {
		t.Fatalf("%d orders in 5 requests, %d of 5 paged readings missed a key; want pages in no stable order", len(orders), incomplete)
	}
	v1 := strings.Split(v1UserKeys(e.v1List(t, e.fx.OwnerToken, e.fx.OrgID, &management.ListUserMetadataRequest{Id: id})), ",")
	if !sameKeys(v1, keys) {
		t.Fatalf("v1: %v", v1)
	}
}
