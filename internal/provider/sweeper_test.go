package provider

// The sweeper removes what failed real-mode runs left behind: `make sweep`
// (go test ./internal/provider -sweep=all) with the variables of make
// testacc-real.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// sweepPrefix starts every key and scratch organization the tests make.
const sweepPrefix = "tfacc-"

func init() {
	resource.AddTestSweepers("zitadelmeta_tfacc", &resource.Sweeper{
		Name: "zitadelmeta_tfacc",
		F:    func(string) error { return sweep(context.Background(), os.Getenv) },
	})
}

// sweep removes every scratch organization (named tfacc-..., with
// ZITADEL_ADMIN_ACCESS_TOKEN; never the shared organizations, whatever
// their names) and every tfacc- key of the shared organizations and users
// that ZITADEL_ORG_ID, ZITADEL_SECOND_ORG_ID, ZITADEL_USER_ID and
// ZITADEL_SECOND_USER_ID name (with ZITADEL_ACCESS_TOKEN, else the admin's
// token). It touches nothing else. A run in progress loses its scratch
// organizations: sweep between runs.
func sweep(ctx context.Context, getenv func(string) string) error {
	var errs []error
	admin, owner := getenv("ZITADEL_ADMIN_ACCESS_TOKEN"), getenv("ZITADEL_ACCESS_TOKEN")
	org, secondOrg := getenv("ZITADEL_ORG_ID"), getenv("ZITADEL_SECOND_ORG_ID")
	if admin == "" && owner == "" {
		return errors.New("the sweeper needs ZITADEL_ADMIN_ACCESS_TOKEN or ZITADEL_ACCESS_TOKEN, and ZITADEL_DOMAIN")
	}
	if admin != "" {
		c, err := realClientFromEnv(getenv, zitadel.Config{AccessToken: admin, APIVersion: zitadel.APIV1, Transport: zitadel.TransportGRPC})
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }()
		orgs, err := c.OrgsNamed(ctx, sweepPrefix)
		errs = append(errs, err)
		for _, id := range orgs {
			if id == org || id == secondOrg {
				continue
			}
			if err := c.RemoveOrg(ctx, id); err != nil {
				errs = append(errs, fmt.Errorf("removing scratch organization %s: %w", id, err))
				continue
			}
			log.Printf("[INFO] removed scratch organization %s", id)
		}
		if owner == "" {
			owner = admin
		}
	}
	var owners []zitadel.Owner
	for _, o := range []struct{ org, user string }{{org, ""}, {secondOrg, ""}, {org, getenv("ZITADEL_USER_ID")}, {secondOrg, getenv("ZITADEL_SECOND_USER_ID")}} {
		switch {
		case o.user != "" && o.org != "":
			owners = append(owners, zitadel.UserOwner(o.org, o.user))
		case o.user == "" && o.org != "" && !slices.Contains(owners, zitadel.OrgOwner(o.org)):
			owners = append(owners, zitadel.OrgOwner(o.org))
		}
	}
	if len(owners) > 0 {
		c, err := realClientFromEnv(getenv, zitadel.Config{AccessToken: owner, APIVersion: zitadel.APIV1, Transport: zitadel.TransportGRPC})
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }()
		for _, o := range owners {
			n, err := removePrefixed(ctx, c, o, sweepPrefix)
			if err != nil {
				errs = append(errs, fmt.Errorf("removing %s keys of %v: %w", sweepPrefix, o, err))
				continue
			}
			log.Printf("[INFO] removed %d %s keys of %v", n, sweepPrefix, o)
		}
	}
	return errors.Join(errs...)
}

// The sweeper against the fake, as against a real ZITADEL: it removes the
// scratch organizations and the tfacc- keys, and nothing else.
func TestSweep_removesOnlyWhatTheTestsLeft(t *testing.T) {
	srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
	scratch := srv.AddOrg(sweepPrefix + "0a1b2c3d-org1")
	other := srv.AddOrg("production")
	// A shared organization named like a scratch one stays.
	shared := srv.AddOrg(sweepPrefix + "shared")
	srv.Grant(fx.OwnerID, shared, "ORG_OWNER")
	for _, org := range []string{fx.OrgID, scratch, other} {
		srv.SetMetadata(org, sweepPrefix+"0a1b2c3d-k", []byte("left over"))
		srv.SetMetadata(org, "keep", []byte("not the tests'"))
	}
	srv.SetUserMetadata(fx.UserID, sweepPrefix+"0a1b2c3d-k", []byte("left over"))
	srv.SetUserMetadata(fx.UserID, "keep", []byte("not the tests'"))
	host, port := splitHostPort(srv.Addr())
	env := map[string]string{
		"ZITADEL_DOMAIN": host, "ZITADEL_PORT": port, "ZITADEL_INSECURE": "true",
		"ZITADEL_ADMIN_ACCESS_TOKEN": fx.AdminToken, "ZITADEL_ACCESS_TOKEN": fx.OwnerToken,
		"ZITADEL_ORG_ID": fx.OrgID, "ZITADEL_USER_ID": fx.UserID, "ZITADEL_SECOND_ORG_ID": shared,
	}
	if err := sweep(context.Background(), func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := srv.RemoveOrganization(scratch); err == nil {
		t.Error("the scratch organization is still there")
	}
	if err := srv.RemoveOrganization(shared); err != nil {
		t.Errorf("the shared organization named %q was removed: %v", sweepPrefix+"shared", err)
	}
	for name, got := range map[string]map[string][]byte{
		"the shared organization": srv.Metadata(fx.OrgID),
		"the shared user":         srv.UserMetadata(fx.UserID),
	} {
		if err := compareKeys(got, map[string]string{"keep": "not the tests'"}, []string{sweepPrefix + "0a1b2c3d-k"}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An organization the tests do not name is not looked at.
	if err := compareKeys(srv.Metadata(other), map[string]string{"keep": "not the tests'", sweepPrefix + "0a1b2c3d-k": "left over"}, nil); err != nil {
		t.Errorf("another organization: %v", err)
	}
}
