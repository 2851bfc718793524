package fakezitadel

import (
	"context"
	"strings"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

// The user calls of the management API v1 (contract section 4): user
// metadata over the organization commands and search, and the user
// lifecycle a test needs around it. Like every v1 call they act in the
// organization of the call (x-zitadel-orgid, else the caller's own), whose
// permission the interceptor checked (user.write, user.read): a user of
// another organization is treated as missing.

// userTarget is a user of the organization of the call, as a metadata
// command's target.
func (m *managementServer) userTarget(ctx context.Context, userID string) metadataTarget {
	return m.s.userTarget(userID, orgFrom(ctx), nil)
}

func (m *managementServer) BulkSetUserMetadata(ctx context.Context, req *management.BulkSetUserMetadataRequest) (*management.BulkSetUserMetadataResponse, error) {
	const request = "BulkSetUserMetadataRequest"
	if err := validateID(request, "Id", req.GetId()); err != nil {
		return nil, err
	}
	entries, err := metadataEntries(request, req.GetMetadata(), false)
	if err != nil {
		return nil, err
	}
	w, err := m.s.setMetadataCommand(ctx, m.userTarget(ctx, req.GetId()), entries)
	if err != nil {
		return nil, err
	}
	return &management.BulkSetUserMetadataResponse{Details: writeDetails(w)}, nil
}

func (m *managementServer) BulkRemoveUserMetadata(ctx context.Context, req *management.BulkRemoveUserMetadataRequest) (*management.BulkRemoveUserMetadataResponse, error) {
	const request = "BulkRemoveUserMetadataRequest"
	if err := validateID(request, "Id", req.GetId()); err != nil {
		return nil, err
	}
	if err := validateKeys(request, req.GetKeys()); err != nil {
		return nil, err
	}
	w, err := m.s.removeMetadataCommand(ctx, m.userTarget(ctx, req.GetId()), req.GetKeys())
	if err != nil {
		return nil, err
	}
	return &management.BulkRemoveUserMetadataResponse{Details: writeDetails(w)}, nil
}

// ListUserMetadata searches as ListOrgMetadata does (no default or maximum
// limit). A user that is missing, removed or of another organization than
// the call's answers OK with an empty list.
func (m *managementServer) ListUserMetadata(ctx context.Context, req *management.ListUserMetadataRequest) (*management.ListUserMetadataResponse, error) {
	const request = "ListUserMetadataRequest"
	if err := validateID(request, "Id", req.GetId()); err != nil {
		return nil, err
	}
	orgID := orgFrom(ctx)
	details, result, err := m.s.listV1(request, req.GetQuery(), req.GetQueries(), func() *metadataOwner {
		if u := m.s.liveUser(req.GetId(), orgID); u != nil {
			return &u.metadataOwner
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &management.ListUserMetadataResponse{Details: details, Result: result}, nil
}

// AddMachineUser creates a machine user in the organization of the call.
// User names are unique in the instance (errUserNameTaken), among the users
// made through the API; the test hooks do not check.
func (m *managementServer) AddMachineUser(ctx context.Context, req *management.AddMachineUserRequest) (*management.AddMachineUserResponse, error) {
	const request = "AddMachineUserRequest"
	if err := validateID(request, "UserName", req.GetUserName()); err != nil {
		return nil, err
	}
	if err := validateID(request, "Name", req.GetName()); err != nil {
		return nil, err
	}
	orgID := orgFrom(ctx)
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if m.s.liveOrg(orgID) == nil {
		return nil, errOrgRemoved
	}
	if m.s.liveUser(req.GetUserId(), "") != nil {
		return nil, errUserIDTaken
	}
	for _, u := range m.s.users {
		if m.s.liveUser(u.id, "") != nil && strings.EqualFold(u.username, req.GetUserName()) {
			return nil, errUserNameTaken
		}
	}
	u := m.s.newUser(orgID, req.GetUserId(), req.GetUserName(), true)
	u.name, u.description = req.GetName(), req.GetDescription()
	return &management.AddMachineUserResponse{
		UserId:  u.id,
		Details: &object.ObjectDetails{Sequence: u.sequence, CreationDate: ts(u.created), ResourceOwner: u.resourceOwner},
	}, nil
}

func (m *managementServer) DeactivateUser(ctx context.Context, req *management.DeactivateUserRequest) (*management.DeactivateUserResponse, error) {
	d, err := m.changeUser(ctx, "DeactivateUserRequest", req.GetId(), errDeactivateNotFound, deactivate)
	return &management.DeactivateUserResponse{Details: d}, err
}

func (m *managementServer) RemoveUser(ctx context.Context, req *management.RemoveUserRequest) (*management.RemoveUserResponse, error) {
	d, err := m.changeUser(ctx, "RemoveUserRequest", req.GetId(), errRemoveNotFound, remove)
	return &management.RemoveUserResponse{Details: d}, err
}

// changeUser validates the id of a request that changes the state of a user
// of the organization of the call, applies the change (see
// Server.changeUser) and returns the details to answer.
func (m *managementServer) changeUser(ctx context.Context, request, userID string, notFound error, change func(*user) error) (*object.ObjectDetails, error) {
	if err := validateID(request, "Id", userID); err != nil {
		return nil, err
	}
	w, err := m.s.changeUser(userID, orgFrom(ctx), notFound, change)
	if err != nil {
		return nil, err
	}
	return writeDetails(w), nil
}

// GetUserByID looks the user up in the organization of the call: missing
// or removed answers NotFound QUERY-Dfbg2; a live user of another
// organization answers NotFound MANAG-fpo4B (seen on ZITADEL v4.13.1).
func (m *managementServer) GetUserByID(ctx context.Context, req *management.GetUserByIDRequest) (*management.GetUserByIDResponse, error) {
	if err := validateID("GetUserByIDRequest", "Id", req.GetId()); err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	u := m.s.liveUser(req.GetId(), orgFrom(ctx))
	if u == nil {
		if m.s.liveUser(req.GetId(), "") != nil {
			return nil, errUserOfAnotherOrg
		}
		return nil, errUserNotFoundQuery
	}
	state := userpb.UserState_USER_STATE_ACTIVE
	if u.inactive {
		state = userpb.UserState_USER_STATE_INACTIVE
	}
	out := &userpb.User{
		Id:                 u.id,
		Details:            &object.ObjectDetails{Sequence: u.sequence, CreationDate: ts(u.created), ChangeDate: ts(u.changed), ResourceOwner: u.resourceOwner},
		State:              state,
		UserName:           u.username,
		LoginNames:         []string{u.username},
		PreferredLoginName: u.username,
	}
	if u.machine {
		out.Type = &userpb.User_Machine{Machine: &userpb.Machine{Name: u.name, Description: u.description}}
	} else {
		out.Type = &userpb.User_Human{Human: &userpb.Human{}}
	}
	return &management.GetUserByIDResponse{User: out}, nil
}
