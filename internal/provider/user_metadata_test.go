package provider

// What only a user's metadata has: its organization looked up and checked,
// users removed or deactivated outside Terraform, user permissions, and
// the data source. Everything else runs for users too (subject_test.go).

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

const userRes = "zitadelmeta_user_metadata.test"

func TestAccUserMetadata_organizationLookedUpOnce(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	k := e.K("k")
	values := attrMap("values", map[string]string{k: "v"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// A padded user_id would replace the resource for the same user.
				Config:      e.Provider() + s.resource("test", s.id+"\n", values),
				PlanOnly:    true,
				ExpectError: errorText(`must be a user id, not empty and without white space around it`),
			},
			{
				// Omitted, it is known at plan time: looked up and recorded.
				Config: e.Provider() + s.resource("test", s.id, values),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(userRes, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userRes, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
					statecheck.ExpectKnownValue(userRes, tfjsonpath.New("id"), knownvalue.StringExact(s.id)),
					s.holds(s.id, map[string]string{k: "v"}),
				},
			},
			{
				// Naming the right organization changes nothing, and a
				// refresh needs no lookup: the state knows the organization.
				PreConfig: e.resetCalls,
				Config:    e.Provider() + s.resource("test", s.id, "org_id = "+hclString(e.OrgID), values),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					s.writes(0, 0),
					serverCheck(func() error {
						if e.srv == nil {
							return nil
						}
						if n := e.srv.Calls(s.m.GetOrg); n != 0 {
							return fmt.Errorf("%d user lookups for a resource whose state knows the organization", n)
						}
						return nil
					}),
				},
			},
			{
				Config:      e.Provider() + s.resource("test", s.id, "org_id = "+hclString(e.SecondOrgID), values),
				PlanOnly:    true,
				ExpectError: errorText(`Wrong Organization for the User`, `User `+s.id+` belongs to organization `+e.OrgID+`, but org_id says `+e.SecondOrgID, `org_id = "`+e.OrgID+`"`),
			},
		},
	})
}

// A user created in the same apply has no id at plan time: the
// organization is looked up at apply, and a wrong one still fails.
func TestAccUserMetadata_userKnownOnlyAtApply(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	k := e.K("late")
	// Each step's user is a new terraform_data, unknown when planning.
	user := func(name string, lines ...string) string {
		return fmt.Sprintf("resource \"terraform_data\" %q {\n  input = %s\n}\n", name, hclString(s.id)) +
			fmt.Sprintf("resource \"zitadelmeta_user_metadata\" \"test\" {\n  user_id = terraform_data.%s.output\n  %s\n}\n", name, joinLines(lines))
	}
	values := attrMap("values", map[string]string{k: "v"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Provider() + user("first", "org_id = "+hclString(e.SecondOrgID), values),
				ExpectError: errorText(`User ` + s.id + ` belongs to organization ` + e.OrgID + `, but org_id says ` + e.SecondOrgID),
			},
			{
				Config: e.Provider() + user("second", values),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(userRes, tfjsonpath.New("org_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userRes, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
					s.holds(s.id, map[string]string{k: "v"}),
				},
			},
		},
	})
}

// A removed user, and a user of a removed organization (its users go with
// it), whichever caller asks: the test's owner was a member of that
// organization, so once it is removed ZITADEL answers every call about it
// with AUTHZ-cdgFk, as for a caller without membership. Refresh drops the
// resource (the lookup confirms the user is gone); planning to create it
// again fails with advice; the data source says the user does not exist;
// a configuration without the resource applies.
func TestAccUserMetadata_removedUser(t *testing.T) {
	for name, c := range map[string]struct {
		remove func(e *testEnv, userID string)
		org    []string // the resource's org_id line: omitted, or blank
	}{
		"user removed":                       {func(e *testEnv, userID string) { e.removeUser(userID) }, nil},
		"organization removed":               {func(e *testEnv, _ string) { e.removeOrg(e.SecondOrgID) }, nil},
		"user removed, blank org_id":         {func(e *testEnv, userID string) { e.removeUser(userID) }, []string{`org_id = ""`}},
		"organization removed, blank org_id": {func(e *testEnv, _ string) { e.removeOrg(e.SecondOrgID) }, []string{`org_id = ""`}},
	} {
		remove := c.remove
		t.Run(name, func(t *testing.T) {
			parallelOnFake(t)
			s := newTestEnv(t).subject("user")
			e := s.testEnv
			e.ownsOrganizations()
			cfg := e.Provider() + s.resource("test", s.spare, append(c.org, attrMap("values", map[string]string{"k": "v"}))...)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						PreConfig:   func() { remove(e, s.spare) },
						Config:      cfg,
						PlanOnly:    true,
						ExpectError: errorText(`User Not Found`, `User `+s.spare+` does not exist or was removed`, `point its user_id at an existing user`),
					},
					{
						Config:      e.Provider() + userSearch(s.spare, "org_id = "+hclString(e.SecondOrgID)),
						ExpectError: errorText(`While looking up user `+s.spare, `The user does not exist or was removed`),
					},
					{Config: e.Provider()},
				},
			})
		})
	}
}

// An empty list alone never drops a user's metadata from state: a user of
// another organization than the state says, or a caller who may not read
// it, gets one too.
func TestAccUserMetadata_emptyListIsNotRemoval(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	e.ownsOrganizations()
	cfg := e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{"k": "v"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// The key vanished: the user is there, so it is drift.
				PreConfig: func() { s.del(s.id, "k") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(userRes, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{"k": "v"})},
			},
			{
				PreConfig:   func() { s.del(s.id, "k") },
				Config:      e.ProviderWithToken(e.OutsiderToken) + s.resource("test", s.id, attrMap("values", map[string]string{"k": "v"})),
				PlanOnly:    true,
				ExpectError: errorText(`Unable to Read User Metadata`, `has no membership`),
			},
			{
				// Still in state: the owner's apply writes the key again.
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{"k": "v"})},
			},
		},
	})
}

func TestAccUserMetadata_deactivatedUser(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	e.ownsOrganizations()
	before := e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{"a": "1", "b": "2"}))
	after := e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{"a": "changed", "c": "3"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: before},
			{
				// A deactivated user keeps its metadata and is managed as usual.
				PreConfig: func() { e.deactivateUser(s.id) },
				Config:    after,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(userRes, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{"a": "changed", "c": "3"}, "b")},
			},
			{Config: after, PlanOnly: true},
		},
	})
}

func TestAccUserMetadata_permissions(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	if e.ViewerToken == "" || e.OutsiderToken == "" {
		t.Skip("needs ZITADEL_VIEWER_ACCESS_TOKEN and ZITADEL_OUTSIDER_ACCESS_TOKEN")
	}
	body := s.resource("test", s.id, attrMap("values", map[string]string{e.K("k"): "v"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// The user lookup at plan time tells a missing membership
				// from a missing user.
				Config:      e.ProviderWithToken(e.OutsiderToken) + body,
				PlanOnly:    true,
				ExpectError: errorText(`Unable to Plan User Metadata`, `While looking up user `+s.id, `has no membership in the user's organization`, `Grant it ORG_OWNER or ORG_USER_MANAGER`),
			},
			{
				Config:      e.ProviderWithToken(e.ViewerToken) + body,
				ExpectError: errorText(`Unable to Create User Metadata`, `lacks the permission user.write`, `ORG_OWNER or ORG_USER_MANAGER`),
			},
			{
				// Every key already holds the configured value: the create
				// writes them again, so a token that may only read cannot own
				// keys it could never remove.
				PreConfig:   func() { s.set(s.id, e.K("k"), []byte("v")) },
				Config:      e.ProviderWithToken(e.ViewerToken) + body,
				ExpectError: errorText(`Unable to Create User Metadata`, `lacks the permission user.write`, `ORG_OWNER or ORG_USER_MANAGER`),
			},
			{
				// The failed create left no tainted object.
				Config: e.Provider() + body,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(userRes, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// A user's keys and its organization's are separate: the same key name in
// both is no overlap, while two resources of one user naming one key are.
func TestAccUserMetadata_ownersAreSeparate(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	k := e.K("shared")
	both := e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{k: "user"})) +
		orgMetadata("org", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{k: "org"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: both,
				ConfigStateChecks: []statecheck.StateCheck{
					s.holds(s.id, map[string]string{k: "user"}),
					e.serverHolds(e.OrgID, map[string]string{k: "org"}),
				},
			},
			{
				Config:      both + s.resource("again", s.id, attrMap("values", map[string]string{k: "another"})),
				PlanOnly:    true,
				ExpectError: errorText(`Metadata Key Managed by Two Resources`, `User `+s.id+`: the configuration of this resource and of another zitadelmeta_user_metadata resource`),
			},
		},
	})
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}

// Without the user service v2 (a ZITADEL older than 4.7) a user is found
// only in the organization the lookup asks in: without org_id, the error
// says to set it.
func TestAccUserMetadata_withoutV2AUserOfAnotherOrganization(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	onlyFor(t, zitadel.APIV1)
	if e.SecondUserID == "" {
		t.Skip("needs ZITADEL_SECOND_USER_ID, a user of ZITADEL_SECOND_ORG_ID")
	}
	e.withFront(fakezitadel.Options{DisableV2: true}) // a ZITADEL older than 4.7
	body := s.resource("test", e.SecondUserID, attrMap("values", map[string]string{e.K("k"): "v"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Provider("org_id = "+hclString(e.OrgID)) + body,
				PlanOnly:    true,
				ExpectError: errorText(`User Not Found`, `finds a user only in the organization it asks in`, `set org_id to that organization`),
			},
			{
				Config:             e.Provider("org_id = "+hclString(e.OrgID)) + s.resource("test", e.SecondUserID, "org_id = "+hclString(e.SecondOrgID), attrMap("values", map[string]string{e.K("k"): "v"})),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// A blank org_id means "not set" on user metadata, as on organization
// metadata: a variable defaulting to "" works for both. Terraform keeps the
// configured "", so the organization is looked up instead of recorded, and
// the plans stay empty.
func TestAccUserMetadata_blankOrgIsUnset(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	k := e.K("k")
	cfg := func(v string) string {
		return e.Provider("org_id = "+hclString(e.OrgID)) + "variable \"org\" {\n  default = \"\"\n}\n" +
			s.resource("test", s.id, "org_id = var.org", attrMap("values", map[string]string{k: v})) +
			orgMetadata("org", "org_id = var.org", attrMap("values", map[string]string{e.K("o"): "o"})) +
			fmt.Sprintf("data %q \"test\" {\n  user_id = %s\n  org_id = var.org\n}\n", "zitadelmeta_user_metadata", hclString(s.id))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg("v"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userRes, tfjsonpath.New("org_id"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(userRes, tfjsonpath.New("id"), knownvalue.StringExact(s.id)),
					s.holds(s.id, map[string]string{k: "v"}),
				},
			},
			{
				// Refresh and plan: nothing to change, no replacement.
				Config: cfg("v"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config: cfg("w"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(userRes, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, map[string]string{k: "w"})},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, ok := s.metadata(s.id)[k]; ok {
				return fmt.Errorf("%s left behind", k)
			}
			return nil
		},
	})
}

func TestAccUserMetadataDataSource_values(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	text, bin, other := e.K("text"), e.K("bin"), e.K("other")
	s.set(s.id, text, []byte("hello"))
	s.set(s.id, bin, binaryBytes)
	s.set(s.id, other, []byte("filtered out"))
	b64 := base64.StdEncoding.EncodeToString(binaryBytes)
	var sequence, owner knownvalue.Check = knownvalue.NotNull(), knownvalue.StringExact(e.OrgID)
	if e.version == zitadel.APIV2 {
		sequence, owner = knownvalue.Null(), knownvalue.Null()
	}
	filters := `filter {
    key    = ` + hclString(e.K("")) + `
    method = "starts_with"
  }
  filter {
    key    = "other"
    method = "contains"
  }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// org_id omitted: looked up and exported.
				Config: e.Provider() + userSearch(s.id, `filter {
    key    = `+hclString(e.K(""))+`
    method = "starts_with"
  }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("id"), knownvalue.StringExact(s.id)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{
						text: knownvalue.StringExact("hello"), other: knownvalue.StringExact("filtered out"),
					})),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("binary_values").AtMapKey(bin), knownvalue.StringExact(b64)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("entries").AtSliceIndex(0), binaryEntry(bin, b64, sequence, owner)),
				},
			},
			{
				// Filters are ANDed; the right org_id is accepted.
				Config: e.Provider() + userSearch(s.id, "org_id = "+hclString(e.OrgID), filters, `sensitive_keys = [`+hclString(other)+`]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("sensitive_values"), knownvalue.MapExact(map[string]knownvalue.Check{other: knownvalue.StringExact("filtered out")})),
				},
			},
			{
				Config:      e.Provider() + userSearch(s.id, "org_id = "+hclString(e.SecondOrgID)),
				ExpectError: errorText(`User ` + s.id + ` belongs to organization ` + e.OrgID + `, but org_id says ` + e.SecondOrgID),
			},
		},
	})
}

func TestAccUserMetadataDataSource_manyPagesAndAccess(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	e.ownsOrganizations() // it reads every key of the user
	many := map[string][]byte{}
	for i := 0; i < 2600; i++ {
		many[e.K(fmt.Sprintf("k%05d", i))] = []byte("v")
	}
	s.setMany(s.id, many)
	count := "output \"count\" {\n  value = length(data.zitadelmeta_user_metadata.test.entries)\n}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.resetCalls,
				Config:    e.ProviderWithToken(e.ViewerToken) + userSearch(s.id) + count,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("count", knownvalue.Int64Exact(2600)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("entries").AtSliceIndex(2599).AtMapKey("key"), knownvalue.StringExact(e.K("k02599"))),
					s.pagesPerSearch(3),
				},
			},
			{
				// v2 answers the outsider's search with an empty list; the
				// lookup tells why.
				Config:      e.ProviderWithToken(e.OutsiderToken) + userSearch(s.id),
				ExpectError: errorText(`Unable to Search User Metadata`, `has no membership in the user's organization`, `ORG_OWNER_VIEWER or ORG_USER_MANAGER`),
			},
			{
				PreConfig:   func() { e.removeUser(s.id) },
				Config:      e.Provider() + userSearch(s.id),
				ExpectError: errorText(`While looking up user `+s.id+`, ZITADEL answered NotFound`, `The user does not exist or was removed`),
			},
		},
	})
}

const userDS = "data.zitadelmeta_user_metadata.test"

// userSearch renders the user data source with extra lines.
func userSearch(userID string, lines ...string) string {
	return fmt.Sprintf("data \"zitadelmeta_user_metadata\" \"test\" {\n  user_id = %s\n  %s\n}\n", hclString(userID), strings.Join(lines, "\n  "))
}
