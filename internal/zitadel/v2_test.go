package zitadel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func withAPI(version string) func(*Config) {
	return func(c *Config) { c.APIVersion = version }
}

// serviceCalls counts the fake's calls of one service's methods.
func serviceCalls(h *harness, service grpc.ServiceDesc) int {
	n := 0
	for _, m := range service.Methods {
		n += h.srv.Calls(m.MethodName)
	}
	return n
}

var (
	v1Service = management.ManagementService_ServiceDesc
	v2Service = orgv2.OrganizationService_ServiceDesc
)

func TestV2ListPagesAtTheMaximumAndSorts(t *testing.T) {
	h := startFake(t, fakezitadel.Options{ShuffleLists: true})
	for i := 2499; i >= 0; i-- {
		h.srv.SetMetadata(h.fx.OrgID, fmt.Sprintf("k%04d", i), []byte("v"))
	}
	// A page size above v2's maximum is clamped, not sent (QUERY-4M0fs).
	c := h.client(t, func(c *Config) { c.APIVersion = APIV2; c.PageSize = 5000 })
	got, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2500 || got[0].Key != "k0000" || got[2499].Key != "k2499" {
		t.Fatalf("got %d entries, first %q", len(got), got[0].Key)
	}
	if !slices.IsSortedFunc(got, func(a, b Entry) int { return cmpString(a.Key, b.Key) }) {
		t.Fatal("entries not sorted")
	}
	if calls := h.srv.Calls("ListOrganizationMetadata"); calls != 3 {
		t.Fatalf("%d list calls, want 3 pages of at most 1000", calls)
	}
	if n := serviceCalls(h, v1Service); n != 0 {
		t.Fatalf("%d management v1 calls on api v2", n)
	}
	e := got[0]
	if e.V1Details || e.Sequence != 0 || e.ResourceOwner != "" || e.ChangeDate.IsZero() || e.CreationDate.IsZero() {
		t.Fatalf("v2 entry details: %+v", e)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Every filter method, alone and ANDed, finds the same keys on v1 and v2.
func TestV2FiltersMatchV1(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	for _, k := range []string{"app_a", "APP_b", "appxc", "x.app", "App", "other_APP", "a%b"} {
		h.srv.SetMetadata(h.fx.OrgID, k, []byte("v"))
	}
	v1, v2 := h.client(t, withAPI(APIV1)), h.client(t, withAPI(APIV2))
	cases := [][]KeyFilter{}
	for m := Equals; m <= EndsWithIgnoreCase; m++ {
		cases = append(cases, []KeyFilter{{Key: "app", Method: m}}, []KeyFilter{{Key: "App", Method: m}})
	}
	cases = append(cases,
		[]KeyFilter{{Key: "app", Method: StartsWithIgnoreCase}, {Key: "b", Method: EndsWith}},
		[]KeyFilter{{Key: "a%", Method: StartsWith}},
		[]KeyFilter{{Key: "app_", Method: StartsWith}},
	)
	keys := func(es []Entry) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.Key)
		}
		return out
	}
	nonEmpty := 0
	for _, f := range cases {
		a, err := v1.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := v2.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys(a), keys(b)) {
			t.Errorf("filters %+v: v1 %q, v2 %q", f, keys(a), keys(b))
		}
		if len(a) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(cases)/2 {
		t.Fatalf("only %d of %d searches found anything: the comparison proves little", nonEmpty, len(cases))
	}
}

func TestV2NeverSendsAnEmptyValue(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	h.srv.SetMetadata(h.fx.OrgID, "keep", []byte("v"))
	c := h.client(t, withAPI(APIV2))
	_, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("x")}, {Key: "keep", Value: nil}})
	if !IsKind(err, KindInvalidInput) {
		t.Fatalf("got %v, want invalid input", err)
	}
	if h.srv.Calls("SetOrganizationMetadata") != 0 || string(h.srv.Metadata(h.fx.OrgID)["keep"]) != "v" {
		t.Fatal("an empty value reached the server")
	}
}

// What an empty v2 search can mean, told apart by ListOrganizations.
func TestV2GetOrg(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	ctx := context.Background()
	owner := h.client(t, withAPI(APIV2))
	outsider := h.client(t, func(c *Config) { c.APIVersion = APIV2; c.AccessToken = h.fx.OutsiderToken })
	viewer := h.client(t, func(c *Config) { c.APIVersion = APIV2; c.AccessToken = h.fx.ViewerToken })

	o, err := owner.GetOrg(ctx, h.fx.OrgID)
	if err != nil || o.ID != h.fx.OrgID || !o.Exists() {
		t.Fatalf("owner: %+v %v", o, err)
	}
	if o, err := viewer.GetOrg(ctx, h.fx.OrgID); err != nil || !o.Exists() {
		t.Fatalf("viewer: %+v %v", o, err)
	}
	// The outsider's search answers OK and empty; GetOrg tells why.
	h.srv.SetMetadata(h.fx.OrgID, "k", []byte("v"))
	if got, err := outsider.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil); err != nil || len(got) != 0 {
		t.Fatalf("outsider search: %v %v", got, err)
	}
	if _, err := outsider.GetOrg(ctx, h.fx.OrgID); !IsKind(err, KindNoAccess) {
		t.Fatalf("outsider: %v, want no access", err)
	}
	if _, err := owner.GetOrg(ctx, "123456789"); !IsKind(err, KindOrgNotFound) {
		t.Fatalf("never existed: %v", err)
	}
	if err := h.srv.RemoveOrganization(h.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.GetOrg(ctx, h.fx.SecondOrgID); !IsKind(err, KindOrgNotFound) {
		t.Fatalf("removed: %v", err)
	}
	if _, err := owner.GetOrg(ctx, ""); !IsKind(err, KindOrgRequired) {
		t.Fatalf("caller's own: %v", err)
	}
	if _, err := owner.ListMetadata(ctx, OrgOwner(""), nil); !IsKind(err, KindOrgRequired) {
		t.Fatalf("search of the caller's own: %v", err)
	}
}

func TestAutoUsesV1WhileServed(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	c := h.client(t, nil)
	if v := c.APIVersion(); v != APIAuto {
		t.Fatalf("before the first call: %q", v)
	}
	h.srv.SetMetadata(h.fx.OrgID, "k", []byte("v"))
	if _, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}}); err != nil {
		t.Fatal(err)
	}
	if v := c.APIVersion(); v != APIV1 {
		t.Fatalf("chose %q", v)
	}
	if n := serviceCalls(h, v2Service); n != 0 {
		t.Fatalf("%d v2 calls on a server that serves v1", n)
	}
}

// A v1 answer that is an error (here: no membership) still shows that v1
// is served.
func TestAutoSettlesOnAV1Error(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	c := h.client(t, func(c *Config) { c.AccessToken = h.fx.OutsiderToken })
	if _, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}}); !IsKind(err, KindNoMembership) {
		t.Fatalf("got %v", err)
	}
	if v := c.APIVersion(); v != APIV1 {
		t.Fatalf("chose %q", v)
	}
}

func TestAutoSwitchesToV2OnceWhenV1IsGone(t *testing.T) {
	h := startFake(t, fakezitadel.Options{DisableV1: true})
	c := h.client(t, nil)
	ctx := context.Background()
	if _, err := c.SetMetadata(ctx, OrgOwner(h.fx.OrgID), []KV{{Key: "a", Value: []byte("b")}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil)
		if err != nil || len(got) != 1 {
			t.Fatalf("%v %v", got, err)
		}
	}
	if _, err := c.RemoveMetadata(ctx, OrgOwner(h.fx.OrgID), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if v := c.APIVersion(); v != APIV2 {
		t.Fatalf("chose %q", v)
	}
	if n := serviceCalls(h, v1Service); n != 1 {
		t.Fatalf("%d v1 calls, want the one that decided", n)
	}
	if len(h.srv.Metadata(h.fx.OrgID)) != 0 {
		t.Fatal("remove on v2 did not happen")
	}
	// Without an organization id v2 cannot go on.
	if _, err := c.GetOrg(ctx, ""); !IsKind(err, KindOrgRequired) {
		t.Fatalf("caller's own organization on v2: %v", err)
	}
}

func TestForcedVersionTheServerLacks(t *testing.T) {
	for _, tc := range []struct {
		version string
		opts    fakezitadel.Options
	}{
		{APIV2, fakezitadel.Options{DisableV2: true}},
		{APIV1, fakezitadel.Options{DisableV1: true}},
	} {
		t.Run(tc.version, func(t *testing.T) {
			h := startFake(t, tc.opts)
			c := h.client(t, withAPI(tc.version))
			_, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
			var e *Error
			if !IsKind(err, KindUnimplemented) || !errors.As(err, &e) || e.API != tc.version || e.Addr == "" {
				t.Fatalf("got %#v", err)
			}
			if e.Attempts != 1 {
				t.Fatalf("Unimplemented was retried: %d attempts", e.Attempts)
			}
		})
	}
}

// Concurrent first calls of an auto client agree on one API and all
// succeed.
func TestAutoConcurrentFirstCalls(t *testing.T) {
	h := startFake(t, fakezitadel.Options{DisableV1: true})
	for round := 0; round < 20; round++ {
		c := h.client(t, nil)
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			go func() {
				_, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
				errs <- err
			}()
		}
		for i := 0; i < 8; i++ {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if v := c.APIVersion(); v != APIV2 {
			t.Fatalf("round %d chose %q", round, v)
		}
	}
}

func TestUnknownAPIVersion(t *testing.T) {
	_, err := New(Config{Domain: "x", Port: 1, AccessToken: "t", APIVersion: "v3"})
	if err == nil {
		t.Fatal("v3 accepted")
	}
}

// A v2 delete that fails with a NotFound of another wording than v1's
// (no META-2npds id) is still taken for "a key is already gone": the keys
// still there are looked up and removed.
func TestV2RemoveToleratesAnyKeysMissingWording(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	h.srv.SetMetadata(h.fx.OrgID, "a", []byte("1"))
	h.srv.SetMetadata(h.fx.OrgID, "b", []byte("2"))
	c := h.client(t, withAPI(APIV2))
	h.srv.InjectFault("DeleteOrganizationMetadata", 1, fakezitadel.Fault{Code: codes.NotFound, Message: "metadata not found"})
	removed, err := c.RemoveMetadata(context.Background(), OrgOwner(h.fx.OrgID), []string{"a", "gone"})
	if err != nil || removed != 2 {
		t.Fatalf("removed %d: %v", removed, err)
	}
	if got := h.srv.Keys(h.fx.OrgID); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("keys left: %q", got)
	}
	if n := h.srv.Calls("DeleteOrganizationMetadata"); n != 2 {
		t.Fatalf("%d delete calls, want the failed one and the repeat", n)
	}
}

// A server serving neither API locks auto into neither, and says so.
func TestAutoDecidesNothingWhenNeitherAPIAnswers(t *testing.T) {
	h := startFake(t, fakezitadel.Options{DisableV1: true, DisableV2: true})
	c := h.client(t, nil)
	_, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUnimplemented || e.API != APIAuto {
		t.Fatalf("got %#v", err)
	}
	if v := c.APIVersion(); v != APIAuto {
		t.Fatalf("chose %q", v)
	}
}

// Only an answer of ZITADEL's own (with its error id) settles v1; an
// Unimplemented that carries one is ZITADEL's, not a missing API.
func TestAutoSettlesOnlyOnZITADELsAnswers(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	ctx := context.Background()
	c := h.client(t, nil)
	h.srv.InjectFault("ListOrgMetadata", 1, fakezitadel.Fault{Code: codes.PermissionDenied, Message: "forbidden by a proxy"})
	if _, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil); !IsKind(err, KindPermissionDenied) {
		t.Fatalf("got %v", err)
	}
	if v := c.APIVersion(); v != APIAuto {
		t.Fatalf("an answer without a ZITADEL id decided %q", v)
	}
	h.srv.InjectFault("ListOrgMetadata", 1, fakezitadel.Fault{Code: codes.Unimplemented, Message: "not implemented (QUERY-n0t1m)"})
	if _, err := c.ListMetadata(ctx, OrgOwner(h.fx.OrgID), nil); !IsKind(err, KindUnimplemented) {
		t.Fatalf("got %v", err)
	}
	if v := c.APIVersion(); v != APIV1 {
		t.Fatalf("ZITADEL's own Unimplemented decided %q", v)
	}
	if n := serviceCalls(h, v2Service); n != 0 {
		t.Fatalf("%d v2 calls", n)
	}
}

// A server configured with a maximum page below 1,000 refuses the page
// (QUERY-4M0fs): the search goes on with smaller pages.
func TestListShrinksPagesAboveTheServersLimit(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	for i := range 30 {
		h.srv.SetMetadata(h.fx.OrgID, fmt.Sprintf("k%02d", i), []byte("v"))
	}
	c := h.client(t, withAPI(APIV2))
	h.srv.InjectFault("ListOrganizationMetadata", 2, fakezitadel.Fault{Code: codes.InvalidArgument, Message: "Limit exceeded (QUERY-4M0fs)"})
	got, err := c.ListMetadata(context.Background(), OrgOwner(h.fx.OrgID), nil)
	if err != nil || len(got) != 30 {
		t.Fatalf("%d entries: %v", len(got), err)
	}
	if n := h.srv.Calls("ListOrganizationMetadata"); n != 3 {
		t.Fatalf("%d list calls, want two refusals and one page", n)
	}
}
