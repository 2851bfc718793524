package zitadel

import (
	"context"
	"errors"
	"testing"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// OwnerGone decides "gone" from the owner's own lookup, whichever caller
// asks and whatever API and transport it speaks: a removed organization is
// gone for a former member (whose membership went with it, so every call
// answers AUTHZ-cdgFk) and for an instance owner alike, and so are its
// users; a caller that never had a membership is told so, not "gone".
func TestOwnerGone(t *testing.T) {
	for _, api := range []string{APIV1, APIV2, APIAuto} {
		for _, transport := range []string{TransportGRPC, TransportREST} {
			t.Run(api+"/"+transport, func(t *testing.T) {
				t.Parallel()
				h := startFake(t, fakezitadel.Options{})
				as := func(token string) *Client {
					return h.client(t, func(c *Config) { c.AccessToken, c.APIVersion, c.Transport = token, api, transport })
				}
				owner, admin, outsider := as(h.fx.OwnerToken), as(h.fx.AdminToken), as(h.fx.OutsiderToken)
				ctx := context.Background()
				live := []Owner{OrgOwner(h.fx.OrgID), UserOwner(h.fx.OrgID, h.fx.UserID), OrgOwner(h.fx.SecondOrgID), UserOwner(h.fx.SecondOrgID, h.fx.SecondUserID)}
				for _, o := range live {
					for name, c := range map[string]*Client{"owner": owner, "admin": admin} {
						if gone, err := c.OwnerGone(ctx, o); gone || err != nil {
							t.Fatalf("%s asks about %+v before any removal: gone = %v, %v", name, o, gone, err)
						}
					}
				}
				// No membership: an error of its own, never "gone".
				for _, o := range live[:2] {
					if gone, err := outsider.OwnerGone(ctx, o); gone || !IsKind(err, KindNoMembership) && !IsKind(err, KindNoAccess) {
						t.Fatalf("outsider asks about %+v: gone = %v, %v; want no membership or no access", o, gone, err)
					}
				}
				// A user found in another organization than the one named.
				var wrong *WrongOrgError
				if _, err := owner.OwnerGone(ctx, UserOwner(h.fx.SecondOrgID, h.fx.UserID)); !errors.As(err, &wrong) || wrong.Actual != h.fx.OrgID {
					t.Fatalf("user in the wrong organization: %v", err)
				}

				if err := h.srv.RemoveOrganization(h.fx.SecondOrgID); err != nil {
					t.Fatal(err)
				}
				if _, err := owner.ListMetadata(ctx, OrgOwner(h.fx.SecondOrgID), nil); api != APIV2 && !IsKind(err, KindNoMembership) {
					t.Fatalf("a former member's search of the removed organization: %v, want AUTHZ-cdgFk as the contract says", err)
				}
				for _, o := range live[2:] {
					for name, c := range map[string]*Client{"former member": owner, "admin": admin} {
						if gone, err := c.OwnerGone(ctx, o); !gone || err != nil {
							t.Fatalf("%s asks about %+v of the removed organization: gone = %v, %v", name, o, gone, err)
						}
					}
				}
				for _, o := range live[:2] {
					if gone, err := owner.OwnerGone(ctx, o); gone || err != nil {
						t.Fatalf("the other organization's %+v: gone = %v, %v", o, gone, err)
					}
				}
			})
		}
	}
}

// Without the organization service v2 nothing can tell a removed
// organization from a missing membership for a former member: its missing
// membership stands, and nothing is taken for gone.
func TestOwnerGoneWithoutV2KeepsTheMembershipError(t *testing.T) {
	h := startFake(t, fakezitadel.Options{DisableV2: true})
	c := h.client(t, func(c *Config) { c.APIVersion = APIV1 })
	if err := h.srv.RemoveOrganization(h.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	if gone, err := c.OwnerGone(context.Background(), OrgOwner(h.fx.SecondOrgID)); gone || !IsKind(err, KindNoMembership) {
		t.Fatalf("gone = %v, %v; want the missing membership", gone, err)
	}
	admin := h.client(t, func(c *Config) { c.AccessToken, c.APIVersion = h.fx.AdminToken, APIV1 })
	if gone, err := admin.OwnerGone(context.Background(), OrgOwner(h.fx.SecondOrgID)); !gone || err != nil {
		t.Fatalf("an instance owner: gone = %v, %v", gone, err)
	}
}
