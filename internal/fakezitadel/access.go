package fakezitadel

import (
	"context"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Errors only the v2 services answer (contract sections 2 and 4).
var (
	// errNoPermissionV2 is the v2 wording of a membership that lacks the
	// permission; v1 answers AUTH-5mWD2 for the same caller.
	errNoPermissionV2 = &apiError{codes.PermissionDenied, "AUTH-AWfge", "No matching permissions found"}
	// errLimitExceeded is the v2 list's answer to a limit above maxListLimit.
	errLimitExceeded = &apiError{codes.InvalidArgument, "QUERY-4M0fs", "Limit exceeded"}
)

// authenticate finds the caller of a call from its bearer token, with the
// errors ZITADEL answers before anything else. The caller holds s.mu.
func (s *Server) authenticate(ctx context.Context) (*user, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	auth := first(md, "authorization")
	if auth == "" {
		return nil, errAuthMissing
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return nil, errAuthInvalid
	}
	u := s.tokens[token]
	if u == nil || s.gone(u) {
		// A removed user's tokens die with it, as do those of the users of
		// a removed organization.
		return nil, errTokenInvalid
	}
	return u, nil
}

// rolesIn returns the roles u holds in an organization: its instance-wide
// roles and its memberships there. Empty means "no membership", which
// ZITADEL tells apart from "a membership without the permission". The
// caller holds s.mu (Grant appends to the role lists).
func rolesIn(u *user, orgID string) []string {
	return append(append([]string(nil), u.roles[""]...), u.roles[orgID]...)
}

func hasAny(held, need []string) bool {
	for _, n := range need {
		for _, h := range held {
			if n == h {
				return true
			}
		}
	}
	return false
}

// readRolesAll are the roles that grant org.read.
func readRolesAll() []string {
	return append(append([]string(nil), writeRoles...), readRoles...)
}

// userReadRolesAll are the roles that grant user.read.
func userReadRolesAll() []string {
	return append(append([]string(nil), userWriteRoles...), readRoles...)
}

// checkRolesV2 is the check a v2 call makes inside the call: the caller
// needs a membership in the organization (NotFound AUTHZ-cdgFk) holding one
// of the roles (PermissionDenied AUTH-AWfge). The caller holds s.mu.
func checkRolesV2(u *user, orgID string, roles []string) error {
	held := rolesIn(u, orgID)
	if len(held) == 0 {
		return errNoMembership
	}
	if !hasAny(held, roles) {
		return errNoPermissionV2
	}
	return nil
}

// writeCheckV2 is the permission check of a v2 metadata write by u: org.write
// (writeRoles) for an organization's metadata, user.write (userWriteRoles)
// in the user's organization for a user's. It does not look at whether the
// organization exists: a caller with only organization roles has none in an
// id that never existed (NotFound AUTHZ-cdgFk), while an instance role
// passes and the command then fails on the organization (COMMAND-QXPGs).
func writeCheckV2(u *user, roles []string) permissionCheck {
	return func(orgID string) error { return checkRolesV2(u, orgID, roles) }
}

type userKey struct{}

func withUser(ctx context.Context, u *user) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

func userFrom(ctx context.Context) *user {
	u, _ := ctx.Value(userKey{}).(*user)
	return u
}

// splitMethod splits "/package.Service/Method".
func splitMethod(full string) (service, method string) {
	i := strings.LastIndex(full, "/")
	return strings.TrimPrefix(full[:i], "/"), full[i+1:]
}

// disabled returns the error a service switched off by the options answers,
// in grpc-go's words for a service the server does not know, or nil.
func (s *Server) disabled(service string) error {
	if s.opts.DisableV1 && service == mgmtDesc.ServiceName ||
		s.opts.DisableV2 && (service == orgDesc.ServiceName || service == userDesc.ServiceName) {
		return status.Errorf(codes.Unimplemented, "unknown service %s", service)
	}
	return nil
}
