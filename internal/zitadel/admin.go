package zitadel

import (
	"context"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Administration: calls the provider never makes. The acceptance tests'
// real mode sets up scratch organizations and users with them (with an
// instance owner's token), and the sweeper removes what a failed run left
// behind. Management API v1, plus the organization service v2's search by
// name; either transport.
var (
	rpcAddOrg                 = mgmtRPC("AddOrg", false)
	rpcRemoveOrg              = mgmtRPC("RemoveOrg", false)
	rpcAddOrgMember           = mgmtRPC("AddOrgMember", false)
	rpcAddMachineUser         = mgmtRPC("AddMachineUser", false)
	rpcAddPersonalAccessToken = mgmtRPC("AddPersonalAccessToken", false)
	rpcDeactivateUser         = mgmtRPC("DeactivateUser", false)
	rpcRemoveUser             = mgmtRPC("RemoveUser", false)
)

// AddOrg creates an organization named name and returns its id; the
// caller becomes its owner.
func (c *Client) AddOrg(ctx context.Context, name string) (string, error) {
	resp := &management.AddOrgResponse{}
	err := c.invoke(ctx, rpcAddOrg, Owner{}, &management.AddOrgRequest{Name: name}, resp)
	return resp.GetId(), err
}

// RemoveOrg removes an organization, its users and their metadata with it.
func (c *Client) RemoveOrg(ctx context.Context, orgID string) error {
	return c.invoke(ctx, rpcRemoveOrg, OrgOwner(orgID), &management.RemoveOrgRequest{}, &management.RemoveOrgResponse{})
}

// AddOrgMember gives a user roles (ORG_OWNER, ORG_OWNER_VIEWER, ...) in an
// organization.
func (c *Client) AddOrgMember(ctx context.Context, orgID, userID string, roles ...string) error {
	return c.invoke(ctx, rpcAddOrgMember, OrgOwner(orgID), &management.AddOrgMemberRequest{UserId: userID, Roles: roles}, &management.AddOrgMemberResponse{})
}

// AddMachineUser creates a service account in an organization and returns
// its id.
func (c *Client) AddMachineUser(ctx context.Context, orgID, username string) (string, error) {
	resp := &management.AddMachineUserResponse{}
	err := c.invoke(ctx, rpcAddMachineUser, OrgOwner(orgID), &management.AddMachineUserRequest{UserName: username, Name: username}, resp)
	return resp.GetUserId(), err
}

// AddPersonalAccessToken issues a token for a service account of orgID,
// valid until expires.
func (c *Client) AddPersonalAccessToken(ctx context.Context, orgID, userID string, expires time.Time) (string, error) {
	resp := &management.AddPersonalAccessTokenResponse{}
	err := c.invoke(ctx, rpcAddPersonalAccessToken, OrgOwner(orgID),
		&management.AddPersonalAccessTokenRequest{UserId: userID, ExpirationDate: timestamppb.New(expires)}, resp)
	return resp.GetToken(), err
}

// DeactivateUser deactivates a user of orgID; it keeps its metadata.
func (c *Client) DeactivateUser(ctx context.Context, orgID, userID string) error {
	return c.invoke(ctx, rpcDeactivateUser, UserOwner(orgID, userID), &management.DeactivateUserRequest{Id: userID}, &management.DeactivateUserResponse{})
}

// RemoveUser removes a user of orgID and its metadata.
func (c *Client) RemoveUser(ctx context.Context, orgID, userID string) error {
	return c.invoke(ctx, rpcRemoveUser, UserOwner(orgID, userID), &management.RemoveUserRequest{Id: userID}, &management.RemoveUserResponse{})
}

// OrgsNamed lists the ids of the live organizations whose names start with
// prefix, among those the caller can see (an instance owner sees all).
func (c *Client) OrgsNamed(ctx context.Context, prefix string) ([]string, error) {
	const page = 100
	var ids []string
	for {
		req := &orgv2.ListOrganizationsRequest{
			Query: &objv2.ListQuery{Offset: uint64(len(ids)), Limit: page},
			Queries: []*orgv2.SearchQuery{{Query: &orgv2.SearchQuery_NameQuery{NameQuery: &orgv2.OrganizationNameQuery{
				Name: prefix, Method: objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH,
			}}}},
		}
		resp := &orgv2.ListOrganizationsResponse{}
		if err := c.invoke(ctx, rpcListOrganizations, Owner{}, req, resp); err != nil {
			return ids, err
		}
		for _, o := range resp.GetResult() {
			ids = append(ids, o.GetId())
		}
		if len(resp.GetResult()) < page || uint64(len(ids)) >= resp.GetDetails().GetTotalResult() {
			return ids, nil
		}
	}
}
