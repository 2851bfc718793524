package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// A walk remembers owners it found in place, and only those: an empty
// search after a lookup asks nothing more, while a removal is always
// asked for, and "gone" is never remembered.
func TestOwnerFoundInPlaceIsRemembered(t *testing.T) {
	forEachWire(t, func(t *testing.T, api, transport string) {
		srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
		client := testClient(t, srv, fx.OwnerToken, func(c *zitadel.Config) { c.APIVersion, c.Transport = api, transport })
		lookups := func() int { return srv.Calls("zitadel.user.v2.UserService/GetUserByID") }
		d := &providerData{api: client}
		ctx := t.Context()

		owner, err := d.lookupUser(ctx, fx.UserID, "")
		if err != nil || owner.OrgID != fx.OrgID {
			t.Fatalf("lookup: %v, %v", owner, err)
		}
		if gone, err := d.ownerRemoved(ctx, owner); gone || err != nil {
			t.Fatalf("removed = %v, %v", gone, err)
		}
		if n := lookups(); n != 1 {
			t.Fatalf("%d lookups for a lookup and an empty search in one walk, want 1", n)
		}

		other := zitadel.UserOwner(fx.SecondOrgID, fx.SecondUserID)
		if err := srv.RemoveUser(fx.SecondUserID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if gone, err := d.ownerRemoved(ctx, other); !gone || err != nil {
				t.Fatalf("removed user: removed = %v, %v", gone, err)
			}
		}
		if n := lookups(); n != 3 {
			t.Fatalf("%d lookups, want 3: a removal is asked every time", n)
		}

		// Another walk knows nothing yet.
		if gone, err := (&providerData{api: client}).ownerRemoved(ctx, owner); gone || err != nil || lookups() != 4 {
			t.Fatalf("new walk: removed = %v, %v after %d lookups", gone, err, lookups())
		}
	})
}

func TestSearchPrefix(t *testing.T) {
	if got := searchPrefix(true, []string{"app.a", "app.b"}); got != "" {
		t.Errorf("an exclusive resource searches %q, want every key", got)
	}
	for keys, want := range map[string]string{
		"":                      "[]",
		"app.color":             "[{app.color 2}]",
		"app.color app.logo":    "[{app. 2}]",
		"app.a b":               "[]",
		"äx äy":                 "[{ä 2}]",
		"\u00e4x \u00e5y":       "[]", // ä and å share a first byte only
		"team/a team/b team/ab": "[{team/ 2}]",
		`dir\a dir\b`:           "[{dir 2}]", // a backslash escapes in ZITADEL's LIKE
		`a\b.x a\b.y`:           "[{a 2}]",
		"50%_a 50%_b":           "[{50%_ 2}]", // % and _ are escaped by ZITADEL
	} {
		var ks []string
		if keys != "" {
			ks = strings.Fields(keys)
		}
		if got := fmt.Sprint(prefixFilter(sharedPrefix(ks))); got != want {
			t.Errorf("prefixFilter(sharedPrefix(%q)) = %s, want %s", keys, got, want)
		}
	}
}
