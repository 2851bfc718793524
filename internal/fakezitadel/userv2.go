package fakezitadel

import (
	"context"

	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

// userServer implements the user metadata calls of
// zitadel.user.v2.UserService and GetUserByID over the same store,
// commands, hooks and counters as the other services (contract section 4);
// every other call answers Unimplemented. The user is named in each
// request, its organization is the one it belongs to, and the permission
// (user.write, user.read) is checked inside the call in that organization,
// after the user was looked up: the interceptor only authenticates.
type userServer struct {
	userv2.UnimplementedUserServiceServer
	s *Server
}

// SetUserMetadata runs the set command of v1 BulkSetUserMetadata; an empty
// value deletes the key (a no-op when absent).
func (v *userServer) SetUserMetadata(ctx context.Context, req *userv2.SetUserMetadataRequest) (*userv2.SetUserMetadataResponse, error) {
	const request = "SetUserMetadataRequest"
	if err := validateID(request, "UserId", req.GetUserId()); err != nil {
		return nil, err
	}
	entries, err := metadataEntries(request, req.GetMetadata(), true)
	if err != nil {
		return nil, err
	}
	w, err := v.s.setMetadataCommand(ctx, v.target(ctx, req.GetUserId()), entries)
	if err != nil {
		return nil, err
	}
	return &userv2.SetUserMetadataResponse{SetDate: v.s.eventDate(w)}, nil
}

// DeleteUserMetadata runs the remove command of v1 BulkRemoveUserMetadata.
func (v *userServer) DeleteUserMetadata(ctx context.Context, req *userv2.DeleteUserMetadataRequest) (*userv2.DeleteUserMetadataResponse, error) {
	const request = "DeleteUserMetadataRequest"
	if err := validateID(request, "UserId", req.GetUserId()); err != nil {
		return nil, err
	}
	if err := validateKeys(request, req.GetKeys()); err != nil {
		return nil, err
	}
	w, err := v.s.removeMetadataCommand(ctx, v.target(ctx, req.GetUserId()), req.GetKeys())
	if err != nil {
		return nil, err
	}
	return &userv2.DeleteUserMetadataResponse{DeletionDate: v.s.eventDate(w)}, nil
}

// target is the user a v2 write names, with the write permission of the
// caller in the user's organization.
func (v *userServer) target(ctx context.Context, userID string) metadataTarget {
	return v.s.userTarget(userID, "", writeCheckV2(userFrom(ctx), userWriteRoles))
}

// ListUserMetadata searches with v2's paging (see listV2); without
// pagination it reports its default of 100 as applied_limit, where the
// organization service reports 0 (contract section 4). A missing or
// removed user answers an empty list with total 0; a caller without
// user.read in the user's organization an empty list whose total_result
// still counts the user's matching entries, as the real server leaks it.
func (v *userServer) ListUserMetadata(ctx context.Context, req *userv2.ListUserMetadataRequest) (*userv2.ListUserMetadataResponse, error) {
	const request = "ListUserMetadataRequest"
	if err := validateID(request, "UserId", req.GetUserId()); err != nil {
		return nil, err
	}
	caller := userFrom(ctx)
	pagination, result, err := v.s.listV2(request, req.Pagination, defaultListLimit, req.GetFilters(), func() (*metadataOwner, bool) {
		u := v.s.liveUser(req.GetUserId(), "")
		if u == nil {
			return nil, false
		}
		return &u.metadataOwner, hasAny(rolesIn(caller, u.resourceOwner), userReadRolesAll())
	})
	if err != nil {
		return nil, err
	}
	return &userv2.ListUserMetadataResponse{Pagination: pagination, Metadata: result}, nil
}

// GetUserByID looks the user up first (missing or removed: NotFound
// QUERY-Dfbg2, for every caller), then checks user.read in its organization
// (no membership: NotFound AUTHZ-cdgFk; a membership without the
// permission: PermissionDenied AUTH-AWfge).
func (v *userServer) GetUserByID(ctx context.Context, req *userv2.GetUserByIDRequest) (*userv2.GetUserByIDResponse, error) {
	if err := validateID("GetUserByIDRequest", "UserId", req.GetUserId()); err != nil {
		return nil, err
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	u := v.s.liveUser(req.GetUserId(), "")
	if u == nil {
		return nil, errUserNotFoundQuery
	}
	if err := checkRolesV2(userFrom(ctx), u.resourceOwner, userReadRolesAll()); err != nil {
		return nil, err
	}
	details := &objv2.Details{Sequence: u.sequence, CreationDate: ts(u.created), ChangeDate: ts(u.changed), ResourceOwner: u.resourceOwner}
	state := userv2.UserState_USER_STATE_ACTIVE
	if u.inactive {
		state = userv2.UserState_USER_STATE_INACTIVE
	}
	out := &userv2.User{
		UserId:             u.id,
		Details:            details,
		State:              state,
		Username:           u.username,
		LoginNames:         []string{u.username},
		PreferredLoginName: u.username,
	}
	if u.machine {
		out.Type = &userv2.User_Machine{Machine: &userv2.MachineUser{Name: u.name, Description: u.description}}
	} else {
		out.Type = &userv2.User_Human{Human: &userv2.HumanUser{}}
	}
	return &userv2.GetUserByIDResponse{Details: details, User: out}, nil
}
