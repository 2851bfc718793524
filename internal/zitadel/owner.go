package zitadel

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
)

// Owner is whose metadata a call reads or writes: an organization, or one
// of its users.
type Owner struct {
	// OrgID is the organization, or the user's own organization (the
	// management API v1 needs it in the header: with another one it answers
	// a user's search with an empty list). "" is the caller's own.
	OrgID string
	// UserID is the user; "" for the organization's own metadata.
	UserID string
}

// OrgOwner is an organization as an owner of metadata.
func OrgOwner(orgID string) Owner { return Owner{OrgID: orgID} }

// UserOwner is a user of an organization as an owner of metadata.
func UserOwner(orgID, userID string) Owner { return Owner{OrgID: orgID, UserID: userID} }

// IsUser reports whether the owner is a user.
func (o Owner) IsUser() bool { return o.UserID != "" }

// Noun names the kind of owner: "organization" or "user".
func (o Owner) Noun() string {
	return [ownerKinds]string{orgKind: "organization", userKind: "user"}[o.kind()]
}

// ID is the id the owner goes by: the user's, or the organization's (""
// for the caller's own).
func (o Owner) ID() string { return [ownerKinds]string{orgKind: o.OrgID, userKind: o.UserID}[o.kind()] }

// WrongOrgError is a user looked up in an organization it does not belong
// to.
type WrongOrgError struct{ UserID, Given, Actual string }

func (e *WrongOrgError) Error() string {
	return fmt.Sprintf("user %s belongs to organization %s, not to organization %s", e.UserID, e.Actual, e.Given)
}

// OwnerGone tells whether an owner no longer exists: the one place that
// decides "gone" (contract sections 1, 2 and 4). Neither an empty search
// nor NotFound AUTHZ-cdgFk proves it: a removed organization answers an
// instance-level caller's search with an empty list, and every call of a
// caller whose membership went with it with AUTHZ-cdgFk, the answer a
// caller that never had a membership gets too. So only the owner's own
// lookup decides: an organization's (orgGone), or a user's (LookupUser).
// Anything else, a missing membership in an organization that exists
// included, is an error; a user found in another organization than
// owner.OrgID is a *WrongOrgError.
func (c *Client) OwnerGone(ctx context.Context, owner Owner) (bool, error) {
	if !owner.IsUser() {
		return c.orgGone(ctx, owner.OrgID)
	}
	_, err := c.LookupUser(ctx, owner)
	if IsKind(err, KindUserNotFound) {
		return true, nil
	}
	return false, err
}

// LookupUser finds a user: its organization and state. A user that does
// not exist, was removed, or belonged to a removed organization (its users
// go with it) is KindUserNotFound; one found in another organization than
// owner.OrgID, when that is given, a *WrongOrgError.
func (c *Client) LookupUser(ctx context.Context, owner Owner) (User, error) {
	u, err := c.GetUser(ctx, owner)
	if IsKind(err, KindNoMembership) && owner.OrgID != "" {
		// The caller's membership may have gone with the organization.
		if gone, gerr := c.orgGone(ctx, owner.OrgID); gerr == nil && gone {
			return User{}, &Error{Method: "GetUserByID", OrgID: owner.OrgID, UserID: owner.UserID, Code: codes.NotFound, Kind: KindUserNotFound, Concluded: true,
				Message: fmt.Sprintf("organization %s, which the user belonged to, was removed, and its users with it", owner.OrgID)}
		}
	}
	switch {
	case err != nil:
		return User{}, err
	case u.Removed:
		return User{}, &Error{Method: "GetUserByID", OrgID: owner.OrgID, UserID: owner.UserID, Code: codes.NotFound, Kind: KindUserNotFound, Concluded: true, Message: "the user was removed"}
	case owner.OrgID != "" && u.OrgID != "" && u.OrgID != owner.OrgID:
		return u, &WrongOrgError{UserID: owner.UserID, Given: owner.OrgID, Actual: u.OrgID}
	}
	return u, nil
}

// orgGone asks whether an organization is gone, with the metadata API in
// use: the organization search of the service v2 (total 0: gone, for every
// caller), or the management API's GetMyOrg (a state that is not live:
// gone). GetMyOrg answers a caller whose membership went with the
// organization with AUTHZ-cdgFk, as it answers a caller that never had
// one: that answer is confirmed with the organization search, which the
// server serves beside v1 from ZITADEL 4.7 on; without it, the missing
// membership stands as the answer.
func (c *Client) orgGone(ctx context.Context, orgID string) (bool, error) {
	org, err := c.api.getOrg(ctx, orgID)
	if IsKind(err, KindNoMembership) && orgID != "" {
		if _, serr := c.v2.getOrg(ctx, orgID); IsKind(serr, KindOrgNotFound) {
			return true, nil
		}
	}
	if IsKind(err, KindOrgNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !org.Exists(), nil
}
