package zitadel

import (
	"context"
	"fmt"
	"testing"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// A user's metadata goes through the same engine as an organization's, on
// both APIs and both transports: chunked writes, paged and filtered
// searches, removal of keys already gone, and the user lookup.
func TestUserMetadata(t *testing.T) {
	for _, api := range []string{APIV1, APIV2} {
		for _, transport := range []string{TransportGRPC, TransportREST} {
			t.Run(api+"/"+transport, func(t *testing.T) {
				h := startFake(t, fakezitadel.Options{ShuffleLists: true})
				ctx := context.Background()
				c := h.client(t, func(c *Config) { c.APIVersion, c.Transport, c.ChunkBytes, c.PageSize = api, transport, 2000, 4 })
				user := UserOwner(h.fx.OrgID, h.fx.UserID)
				var kvs []KV
				for i := range 10 {
					kvs = append(kvs, KV{Key: fmt.Sprintf("k%02d", i), Value: []byte{byte(i), 0xff, 0}})
				}
				kvs = append(kvs, KV{Key: "big", Value: make([]byte, 1500)})
				if n, err := c.SetMetadata(ctx, user, kvs); err != nil || n != len(kvs) {
					t.Fatalf("set %d: %v", n, err)
				}
				if got := h.srv.UserMetadata(h.fx.UserID); len(got) != len(kvs) || string(got["k03"]) != string(kvs[3].Value) {
					t.Fatalf("the user holds %d keys", len(got))
				}
				if len(h.srv.Metadata(h.fx.OrgID)) != 0 {
					t.Fatal("the user's keys landed on the organization")
				}
				got, err := c.ListMetadata(ctx, user, nil)
				if err != nil || len(got) != len(kvs) || got[0].Key != "big" || got[1].Key != "k00" {
					t.Fatalf("list: %d entries: %v", len(got), err)
				}
				got, err = c.ListMetadata(ctx, user, []KeyFilter{{Key: "K0", Method: StartsWithIgnoreCase}, {Key: "5", Method: EndsWith}})
				if err != nil || len(got) != 1 || got[0].Key != "k05" {
					t.Fatalf("filtered: %v %v", got, err)
				}
				h.srv.DeleteUserMetadata(h.fx.UserID, "k01")
				if n, err := c.RemoveMetadata(ctx, user, []string{"k00", "k01", "big"}); err != nil || n != 3 {
					t.Fatalf("remove %d: %v", n, err)
				}
				if left := h.srv.UserKeys(h.fx.UserID); len(left) != 8 {
					t.Fatalf("left %q", left)
				}
				u, err := c.GetUser(ctx, user)
				if err != nil || u.ID != h.fx.UserID || u.OrgID != h.fx.OrgID || u.Removed {
					t.Fatalf("lookup: %+v %v", u, err)
				}
				if err := h.srv.RemoveUser(h.fx.UserID); err != nil {
					t.Fatal(err)
				}
				if _, err := c.GetUser(ctx, user); !IsKind(err, KindUserNotFound) {
					t.Fatalf("removed user: %v", err)
				}
				if _, err := c.SetMetadata(ctx, user, kvs[:1]); !IsKind(err, KindUserNotFound) {
					t.Fatalf("write to a removed user: %v", err)
				}
			})
		}
	}
}

// v1 answers a user's search with an empty list when the header names
// another organization; the lookup tells the user's real one.
func TestUserMetadataNeedsTheUsersOrganization(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	h.srv.SetUserMetadata(h.fx.UserID, "k", []byte("v"))
	c := h.client(t, func(c *Config) { c.APIVersion, c.AccessToken = APIV1, h.fx.AdminToken })
	wrong := UserOwner(h.fx.SecondOrgID, h.fx.UserID)
	if got, err := c.ListMetadata(context.Background(), wrong, nil); err != nil || len(got) != 0 {
		t.Fatalf("wrong organization: %v %v", got, err)
	}
	if _, err := c.SetMetadata(context.Background(), wrong, []KV{{Key: "a", Value: []byte("b")}}); !IsKind(err, KindUserNotFound) {
		t.Fatalf("write with the wrong organization: %v", err)
	}
	u, err := c.GetUser(context.Background(), UserOwner(h.fx.OrgID, h.fx.UserID))
	if err != nil || u.OrgID != h.fx.OrgID {
		t.Fatalf("lookup: %+v %v", u, err)
	}
}
