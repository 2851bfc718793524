package fakezitadel

import (
	"context"
	"strings"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	"google.golang.org/grpc/codes"
)

// The administration calls of the management API v1: what a client needs
// to set up scratch organizations and users with an instance owner's token
// (the acceptance tests' real mode does) and to tear them down again with
// RemoveOrg, DeactivateUser and RemoveUser. The provider never makes them.
// AddOrg creates an organization of which the caller becomes owner;
// AddOrgMember and AddPersonalAccessToken act in the organization of the
// call (x-zitadel-orgid, else the caller's own), whose permission the
// interceptor checked (org.member.write, user.write; org.create for AddOrg
// see Server.authorize). The error ids and messages are those of ZITADEL's
// commands; a message key ZITADEL has no translation for is answered as
// the key, as the real server does.

var (
	// errOrgNameTaken: AddOrg with the name of a live organization (unique
	// per instance, compared case-insensitively; a removed organization
	// frees its name).
	errOrgNameTaken = &apiError{codes.AlreadyExists, "V3-DKcYh", "Organisation's name or id already taken"}
	// errRemoveOrgNotFound: RemoveOrg of a removed organization.
	errRemoveOrgNotFound = &apiError{codes.NotFound, "COMMA-aps2n", "Organisation not found"}
	// AddOrgMember's command errors, in the order it checks.
	errMemberNoRoles      = &apiError{codes.InvalidArgument, "V2-PfYhb", "Errors.Invalid.Argument"}
	errMemberInvalidRoles = &apiError{codes.InvalidArgument, "Org-4N8es", "Errors.Org.MemberInvalid"}
	errMemberUserNotFound = &apiError{codes.FailedPrecondition, "ORG-GoXOn", "User could not be found"}
	errMemberExists       = &apiError{codes.AlreadyExists, "ORG-poWwe", "Errors.Org.Member.AlreadyExists"}
	// AddPersonalAccessToken's command errors, in the order it checks.
	errExpireBeforeNow = &apiError{codes.InvalidArgument, "DOMAIN-dv3t5", "Errors.AuthNKey.ExpireBeforeNow"}
	errPATUserNotFound = &apiError{codes.FailedPrecondition, "COMMAND-Dggw2", "User could not be found"}
	errPATNotMachine   = &apiError{codes.FailedPrecondition, "COMMAND-Df2f1", "Not allowed for this user type"}
)

// AddOrg creates an active organization named as the request says and
// makes the caller its ORG_OWNER, as ZITADEL does: the caller's own
// organization stays what it was. The name takes 1 to 200 characters and
// must not be that of a live organization (errOrgNameTaken). The details
// are those of the new organization, at freshOrgSequence: its creation
// events, the caller's membership among them.
func (m *managementServer) AddOrg(ctx context.Context, req *management.AddOrgRequest) (*management.AddOrgResponse, error) {
	if !validKey(req.GetName()) {
		return nil, keyLengthError("AddOrgRequest.Name")
	}
	caller := userFrom(ctx)
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	for _, o := range m.s.orgs {
		if !o.removed && strings.EqualFold(o.name, req.GetName()) {
			return nil, errOrgNameTaken
		}
	}
	o := m.s.newOrg(req.GetName())
	caller.roles[o.id] = append(caller.roles[o.id], "ORG_OWNER")
	return &management.AddOrgResponse{
		Id:      o.id,
		Details: &object.ObjectDetails{Sequence: o.sequence, CreationDate: ts(o.created), ResourceOwner: o.id},
	}, nil
}

// AddOrgMember makes a user a member of the organization of the call with
// the request's roles, which its permissions then follow. Any live user of
// the instance can become a member, of its own organization or another.
// ZITADEL's checks, in its order: the organization is live
// (COMMAND-QXPGs), roles are given (V2-PfYhb) and are organization roles
// (Org-4N8es: all ORG_… in the fake, which knows no list of them, or all
// SELF_MANAGEMENT_GLOBAL), the user exists (ORG-GoXOn) and is no member
// there yet (ORG-poWwe, whatever its roles; the creator of an
// organization is one). The membership is an event of the organization.
func (m *managementServer) AddOrgMember(ctx context.Context, req *management.AddOrgMemberRequest) (*management.AddOrgMemberResponse, error) {
	if err := validateID("AddOrgMemberRequest", "UserId", req.GetUserId()); err != nil {
		return nil, err
	}
	orgID := orgFrom(ctx)
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	o := m.s.orgs[orgID]
	switch {
	case o.removed:
		return nil, errOrgRemoved
	case len(req.GetRoles()) == 0:
		return nil, errMemberNoRoles
	case !orgRoles(req.GetRoles()):
		return nil, errMemberInvalidRoles
	}
	u := m.s.liveUser(req.GetUserId(), "")
	if u == nil {
		return nil, errMemberUserNotFound
	}
	if len(u.roles[orgID]) > 0 {
		return nil, errMemberExists
	}
	u.roles[orgID] = append([]string(nil), req.GetRoles()...)
	o.sequence++
	return &management.AddOrgMemberResponse{
		Details: &object.ObjectDetails{Sequence: o.sequence, CreationDate: ts(m.s.opts.Now()), ResourceOwner: o.id},
	}, nil
}

// orgRoles tells whether roles are valid for a membership in an
// organization: all organization roles, or all SELF_MANAGEMENT_GLOBAL.
func orgRoles(roles []string) bool {
	org, self := true, true
	for _, r := range roles {
		org = org && strings.HasPrefix(r, "ORG_") && len(r) > len("ORG_")
		self = self && r == "SELF_MANAGEMENT_GLOBAL"
	}
	return org || self
}

// AddPersonalAccessToken issues a token that authenticates as a machine
// user of the organization of the call, like the AddToken hook: it works
// until the user is gone, and the fake ignores its expiration date beyond
// ZITADEL's checks. ZITADEL's checks, in its order: an expiration date, if
// given, is not in the past (DOMAIN-dv3t5); the user is live and of the
// organization of the call (COMMAND-Dggw2, also for a user of another
// organization) and a machine user (COMMAND-Df2f1). The token is an event
// of the user.
func (m *managementServer) AddPersonalAccessToken(ctx context.Context, req *management.AddPersonalAccessTokenRequest) (*management.AddPersonalAccessTokenResponse, error) {
	if req.GetUserId() == "" {
		return nil, validationError("invalid AddPersonalAccessTokenRequest.UserId: value length must be at least 1 runes")
	}
	now := m.s.opts.Now()
	if exp := req.GetExpirationDate(); exp != nil && exp.AsTime().Before(now) {
		return nil, errExpireBeforeNow
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	u := m.s.liveUser(req.GetUserId(), orgFrom(ctx))
	switch {
	case u == nil:
		return nil, errPATUserNotFound
	case !u.machine:
		return nil, errPATNotMachine
	}
	token := m.s.issueToken(u)
	u.sequence++
	return &management.AddPersonalAccessTokenResponse{
		TokenId: m.s.newID(),
		Token:   token,
		Details: &object.ObjectDetails{Sequence: u.sequence, CreationDate: ts(now), ResourceOwner: u.resourceOwner},
	}, nil
}
