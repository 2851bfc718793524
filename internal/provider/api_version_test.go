package provider

// Tests that pin api_version: what auto chooses, what a forced API the
// server lacks says, what v2's permission-filtered empty lists lead to, and
// that switching the API plans nothing. Every other acceptance test runs for
// both APIs (make test; TF_ACC_ZITADEL_API_VERSION).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// countCalls checks that the fake saw calls of want and none of never
// since the last ResetCalls.
func (e *testEnv) countCalls(want apiMethods, never apiMethods) statecheck.StateCheck {
	return e.onCalls(func(srv callCounter) error {
		for _, m := range []string{never.Set, never.Remove, never.List, never.GetOrg} {
			if n := srv.Calls(m); m != "" && n != 0 {
				return fmt.Errorf("%d %s calls, want none", n, m)
			}
		}
		if srv.Calls(want.Set) == 0 || srv.Calls(want.List) == 0 {
			return fmt.Errorf("%d %s and %d %s calls, want some of each", srv.Calls(want.Set), want.Set, srv.Calls(want.List), want.List)
		}
		return nil
	})
}

// On a server that dropped the management API v1, auto switches to v2 on
// the first call and the whole lifecycle works there.
func TestAccAPIVersion_autoOnAServerWithoutV1(t *testing.T) {
	onlyFor(t, zitadel.APIAuto)
	parallelOnFake(t)
	e := newTestEnv(t).withAPI(zitadel.APIAuto)
	e.ownsOrganizations()                             // its keys are not prefixed ones
	e.withFront(fakezitadel.Options{DisableV1: true}) // a server without v1
	provider := e.Provider(`api_version = "auto"`, "org_id = "+hclString(e.OrgID))
	cfg := func(values map[string]string) string {
		return provider + orgMetadata("test", attrMap("values", values)) + search(e.OrgID)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// Forcing v1 there names what is missing and what to set.
				Config:      e.Provider(`api_version = "v1"`, "org_id = "+hclString(e.OrgID)) + orgMetadata("test", attrMap("values", map[string]string{"a": "1"})),
				ExpectError: errorText(`does not serve ZITADEL's management API v1`, `api_version = "v2"`),
			},
			{
				// Without an organization id v2 cannot go on: the plan says so.
				Config:      e.Provider(`api_version = "auto"`) + orgMetadata("test", attrMap("values", map[string]string{"a": "1"})),
				ExpectError: errorText(`the organization service v2 names the organization in every call`, `Set org_id on the resource, data source or ephemeral resource`),
			},
			{
				PreConfig: e.resetCalls,
				Config:    cfg(map[string]string{"a": "1", "b": "2"}),
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.OrgID, map[string]string{"a": "1", "b": "2"}),
					// Each provider process tries v1 once (a read), then writes on v2.
					e.countCalls(methodsOf[zitadel.APIV2], apiMethods{Set: "BulkSetOrgMetadata", Remove: "BulkRemoveOrgMetadata"}),
				},
			},
			{
				Config: cfg(map[string]string{"a": "1"}),
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.OrgID, map[string]string{"a": "1"}, "b"),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries").AtSliceIndex(0).AtMapKey("sequence"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries").AtSliceIndex(0).AtMapKey("resource_owner"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries").AtSliceIndex(0).AtMapKey("change_date"), knownvalue.NotNull()),
				},
			},
		},
	})
}

// A user's lookup (always the user service v2's) decides nothing for
// auto: a user's metadata, alone in the configuration, goes to the API the
// server serves.
func TestAccAPIVersion_autoDecidesOnTheMetadataCallsNotTheUserLookup(t *testing.T) {
	onlyFor(t, zitadel.APIAuto)
	for _, withV1 := range []bool{false, true} {
		t.Run(fmt.Sprintf("v1 served: %v", withV1), func(t *testing.T) {
			parallelOnFake(t)
			e := newTestEnv(t).withAPI(zitadel.APIAuto)
			e.withFront(fakezitadel.Options{DisableV1: !withV1})
			e.ownsOrganizations() // its key is not a prefixed one
			s := e.subject("user")
			write, other := "SetUserMetadata", "BulkSetUserMetadata"
			if withV1 {
				write, other = other, write
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig: e.resetCalls,
					Config:    e.Provider(`api_version = "auto"`) + s.resource("test", s.id, attrMap("values", map[string]string{"a": "1"})),
					ConfigStateChecks: []statecheck.StateCheck{
						s.holds(s.id, map[string]string{"a": "1"}),
						e.onCalls(func(srv callCounter) error {
							if srv.Calls(write) != 1 || srv.Calls(other) != 0 {
								return fmt.Errorf("%d %s and %d %s calls, want 1 and 0", srv.Calls(write), write, srv.Calls(other), other)
							}
							return nil
						}),
					},
				}},
			})
		})
	}
}

// On a server that serves v1, auto stays there: no v2 call at all.
func TestAccAPIVersion_autoOnAServerWithV1(t *testing.T) {
	onlyFor(t, zitadel.APIAuto)
	parallelOnFake(t)
	e := newTestEnv(t).withAPI(zitadel.APIAuto)
	e.ownsOrganizations() // it writes to the caller's own organization
	cfg := e.Provider(`api_version = "auto"`) + orgMetadata("test", attrMap("values", map[string]string{"a": "1"})) + search(e.OrgID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.resetCalls,
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.OrgID, map[string]string{"a": "1"}),
					e.countCalls(methodsOf[zitadel.APIV1], methodsOf[zitadel.APIV2]),
				},
			},
			{
				// v1 fills in what only it returns.
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries").AtSliceIndex(0).AtMapKey("resource_owner"), knownvalue.StringExact(e.OrgID)),
					e.countCalls(methodsOf[zitadel.APIV1], methodsOf[zitadel.APIV2]),
				},
			},
		},
	})
}

// Forcing v2 on a ZITADEL older than 4.7 fails the plan with the version
// needed.
func TestAccAPIVersion_forcedV2OnAServerWithoutV2(t *testing.T) {
	onlyFor(t, zitadel.APIV2)
	parallelOnFake(t)
	e := newTestEnv(t)
	e.withFront(fakezitadel.Options{DisableV2: true}) // a ZITADEL older than 4.7
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Provider("org_id = "+hclString(e.OrgID)) + orgMetadata("test", attrMap("values", map[string]string{"a": "1"})),
				ExpectError: errorText(`does not serve the organization and user services v2, which ZITADEL 4.7 and later provide`, `api_version = "v1"`),
			},
			{
				Config:      e.Provider("org_id = "+hclString(e.OrgID)) + search(e.OrgID),
				ExpectError: errorText(`does not serve the organization and user services v2`),
			},
		},
	})
}

// The state is the same whichever API wrote it: switching api_version on
// an existing configuration plans nothing, in either direction.
func TestAccAPIVersion_switchingPlansNothing(t *testing.T) {
	onlyFor(t, zitadel.APIV2)
	parallelOnFake(t)
	e := newTestEnv(t)
	values := map[string]string{e.K("text"): "hello", e.K("blank"): " "}
	binary := map[string]string{e.K("bin"): "AP8A/w=="}
	cfg := func(version string) string {
		return e.Provider(fmt.Sprintf("api_version = %q", version)) +
			orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", values), attrMap("binary_values", binary))
	}
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("v1")},
			{Config: cfg("v2"), ConfigPlanChecks: empty},
			{Config: cfg("auto"), ConfigPlanChecks: empty},
			{Config: cfg("v1"), ConfigPlanChecks: empty},
			{
				// An import on v2 gives the state v1 wrote.
				Config: cfg("v2"), ResourceName: res, ImportState: true, ImportStateVerify: true,
				ImportStateId: importID{Owner: e.OrgID, Keys: []string{e.K("bin"), e.K("blank"), e.K("text")}}.String(),
			},
		},
	})
}

// A resource created on v1 without any org_id (in the caller's own
// organization) keeps working on v2, which cannot name that organization:
// it stays in the one its state records. A new one there needs org_id.
func TestAccAPIVersion_v2KeepsTheOrganizationInState(t *testing.T) {
	onlyFor(t, zitadel.APIV2)
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // the caller's own organization is the test organization
	body := orgMetadata("test", `values = { mine = "yes" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: e.Provider(`api_version = "v1"`) + body},
			{
				Config:           e.Provider(`api_version = "v2"`) + body,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:      e.Provider(`api_version = "v2"`) + body + orgMetadata("other", `values = { theirs = "no" }`),
				ExpectError: errorText(`cannot tell the caller's own organization`, "Set org_id"),
			},
			{
				Config:            e.Provider(`api_version = "v2"`) + strings.Replace(body, `values = { mine = "yes" }`, `values = { mine = "still" }`, 1),
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{"mine": "still"})},
			},
		},
	})
}

// v2 answers the search of a caller who may not read the organization with
// an empty list. The provider must not take that for "the keys are gone":
// the refresh fails naming the roles, and the state survives.
func TestAccV2_permissionFilteredEmptyList(t *testing.T) {
	onlyFor(t, zitadel.APIV2)
	parallelOnFake(t)
	e := newTestEnv(t)
	if e.ViewerToken == "" || e.OutsiderToken == "" {
		t.Skip("needs ZITADEL_VIEWER_ACCESS_TOKEN and ZITADEL_OUTSIDER_ACCESS_TOKEN")
	}
	values := map[string]string{e.K("a"): "1", e.K("b"): "2"}
	owned := orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", values))
	// The owner keeps the resource while another token reads through an
	// aliased provider.
	readAs := func(token string) string {
		other := strings.Replace(e.ProviderWithToken(token), "provider \"zitadelmeta\" {\n", "provider \"zitadelmeta\" {\n  alias = \"other\"\n", 1)
		data := strings.Replace(search(e.OrgID, e.K(""), "starts_with"), "{\n", "{\n  provider = zitadelmeta.other\n", 1)
		return e.Provider() + owned + other + data
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: e.Provider() + owned},
			{
				// The outsider's refresh finds an empty list; the provider
				// asks and reports that it may not read, naming the roles a
				// resource needs (it writes, too).
				Config:      e.ProviderWithToken(e.OutsiderToken) + owned,
				ExpectError: errorText(`exists, but the caller may not read it`, `Grant it ORG_OWNER or ORG_SETTINGS_MANAGER`),
			},
			{
				// The state kept every key: with the owner's token again,
				// nothing to do.
				Config:           e.Provider() + owned,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{
						e.K("a"): knownvalue.StringExact("1"), e.K("b"): knownvalue.StringExact("2"),
					})),
				},
			},
			{
				// The outsider's data source fails the same way instead of
				// showing no keys.
				Config:      readAs(e.OutsiderToken),
				ExpectError: errorText(`exists, but the caller may not read it`, `ORG_OWNER_VIEWER`),
			},
			{
				// A viewer reads everything.
				Config: readAs(e.ViewerToken),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{
						e.K("a"): knownvalue.StringExact("1"), e.K("b"): knownvalue.StringExact("2"),
					})),
				},
			},
			{
				// The outsider's destroy plan refreshes first and fails: no
				// key is removed on the strength of an empty list.
				Config:      e.ProviderWithToken(e.OutsiderToken) + owned,
				Destroy:     true,
				ExpectError: errorText(`exists, but the caller may not read it`),
			},
			{
				Config:            e.Provider() + owned,
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, values)},
			},
		},
	})
}

// A v2 refresh of 10,000 keys reads ten full pages, never a larger limit.
func TestAccV2_refreshOf10000KeysPagesAtTheMaximum(t *testing.T) {
	onlyFor(t, zitadel.APIV2)
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		e.ownsOrganizations() // its 10,000 keys are not the test's prefixed ones
		cfg := e.Provider() + s.resource("test", s.id,
			// range() stops at 1,024 values: 10 x 1,000.
			`values = { for p in setproduct(range(10), range(1000)) : format("k%05d", p[0] * 1000 + p[1]) => "v" }`)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					PreConfig: func() {
						s.set(s.id, "k09999", []byte("drift"))
						e.resetCalls()
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						s.holds(s.id, map[string]string{"k00000": "v", "k09999": "v"}),
						// However often Terraform refreshed, each search of the
						// 10,000 keys took ten calls of 1,000 (the aim: at most 11).
						s.pagesPerSearch(10),
					},
				},
			},
		})
	})
}

// Pages that come in a new order on every request (as the user service v2
// lists the keys of one bulk write) neither lose a key nor fail the
// refresh: a drifted key among 2,500 is found and written back. (Against a
// real ZITADEL the pages come in whatever order it serves.)
func TestAccMetadata_readsInAnyOrder(t *testing.T) {
	forEachSubjectWith(t, fakezitadel.Options{ReorderLists: true}, func(t *testing.T, s *subject) {
		e := s.testEnv
		e.ownsOrganizations()
		cfg := e.Provider() + s.resource("test", s.id,
			`values = { for p in setproduct(range(5), range(500)) : format("k%04d", p[0] * 500 + p[1]) => "v" }`)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					PreConfig: func() { s.set(s.id, "k1234", []byte("drift")) },
					Config:    cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						s.holds(s.id, map[string]string{"k0000": "v", "k1234": "v", "k2499": "v"}),
					},
				},
				{Config: cfg, PlanOnly: true},
			},
		})
	})
}
