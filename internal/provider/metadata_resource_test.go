package provider

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
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

const res = "zitadelmeta_org_metadata.test"

// binaryBytes is not valid UTF-8: it must reach the server byte for byte.
var binaryBytes = []byte{0x00, 0xff, 0xfe, 0x80, 'z', 0x01}

// orgMetadata renders the resource with the given attribute lines.
func orgMetadata(name string, lines ...string) string {
	return fmt.Sprintf("resource \"zitadelmeta_org_metadata\" %q {\n  %s\n}\n", name, strings.Join(lines, "\n  "))
}

func attrMap(name string, m map[string]string) string { return name + " = " + hclMap(m) }

func TestAccMetadata_lifecycle(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		color, logo, secret, team, foreign := e.K("color"), e.K("logo"), e.K("secret"), e.K("team"), e.K("foreign")
		b64 := base64.StdEncoding.EncodeToString(binaryBytes)
		create := e.Provider() + s.resource("test", s.id,
			attrMap("values", map[string]string{color: "blue", team: "core"}),
			attrMap("binary_values", map[string]string{logo: b64}),
			attrMap("sensitive_values", map[string]string{secret: "s3cr3t"}),
		)
		update := e.Provider() + s.resource("test", s.id,
			attrMap("values", map[string]string{color: "green", e.K("new"): "added"}),
			attrMap("binary_values", map[string]string{logo: b64}),
			attrMap("sensitive_values", map[string]string{secret: "s3cr3t"}),
		)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			CheckDestroy: func(*terraform.State) error {
				got := s.metadata(s.id)
				for _, k := range []string{color, logo, secret, e.K("new")} {
					if _, ok := got[k]; ok {
						return fmt.Errorf("managed key %q survived destroy", k)
					}
				}
				if string(got[foreign]) != "keep me" {
					return fmt.Errorf("foreign key %q was touched: %q", foreign, got[foreign])
				}
				return nil
			},
			Steps: []resource.TestStep{
				{
					PreConfig: func() { s.set(s.id, foreign, []byte("keep me")) },
					Config:    create,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("org_id"), knownvalue.StringExact(s.orgID)),
						statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("id"), knownvalue.StringExact(s.id)),
						statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("exclusive"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("binary_values").AtMapKey(logo), knownvalue.StringExact(b64)),
						s.holds(s.id, map[string]string{color: "blue", team: "core", logo: string(binaryBytes), secret: "s3cr3t", foreign: "keep me"}),
					},
				},
				{
					// One BulkSet for the changed and added keys, one BulkRemove.
					PreConfig: e.resetCalls,
					Config:    update,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						s.writes(1, 1),
						s.holds(s.id, map[string]string{color: "green", e.K("new"): "added", logo: string(binaryBytes), foreign: "keep me"}, team),
					},
				},
				{
					// Unchanged: an empty plan and not a single write.
					PreConfig: e.resetCalls,
					Config:    update,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
					}},
					ConfigStateChecks: []statecheck.StateCheck{s.writes(0, 0)},
				},
			},
		})
	})
}

func TestAccMetadata_drift(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		changed, deleted, nowBinary, foreign := e.K("changed"), e.K("deleted"), e.K("now_binary"), e.K("foreign")
		cfg := e.Provider() + s.resource("test", s.id,
			attrMap("values", map[string]string{changed: "v1", deleted: "v2", nowBinary: "v3"}))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					PreConfig: func() {
						s.set(s.id, changed, []byte("edited by hand"))
						s.del(s.id, deleted)
						s.set(s.id, nowBinary, binaryBytes)
						s.set(s.id, foreign, []byte("not ours"))
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
						// Lossless: the refreshed state holds exactly the server's bytes;
						// the foreign key is not read at all.
						expectRefreshed(s.addr, map[string]any{
							"values":        map[string]any{changed: "edited by hand"},
							"binary_values": map[string]any{nowBinary: base64.StdEncoding.EncodeToString(binaryBytes)},
						}),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						s.holds(s.id, map[string]string{changed: "v1", deleted: "v2", nowBinary: "v3", foreign: "not ours"}),
					},
				},
			},
		})
	})
}

func TestAccMetadata_exclusive(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		e.ownsOrganizations() // exclusive owns every key of the organization
		cfg := e.Provider() + s.resource("test", s.spare, "exclusive = true",
			attrMap("values", map[string]string{"mine": "1"}))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			CheckDestroy: func(*terraform.State) error {
				// The test harness destroys without refreshing: destroy removes
				// every key the state holds, and not the key that appeared after
				// the last applied plan, which no plan showed.
				if keys := sortedKeys(s.metadata(s.spare)); len(keys) != 1 || keys[0] != "left" {
					return fmt.Errorf("exclusive destroy left %v, want just the key no plan showed", keys)
				}
				return nil
			},
			Steps: []resource.TestStep{
				{
					PreConfig:   func() { s.set(s.spare, "already", []byte("here")) },
					Config:      cfg,
					ExpectError: errorText(`Keys not in the configuration, which an exclusive resource would remove: "already"`),
				},
				{
					PreConfig: func() { s.del(s.spare, "already") },
					Config:    cfg,
				},
				{
					PreConfig: func() {
						s.set(s.spare, "foreign_text", []byte("x"))
						s.set(s.spare, "foreign_bin", binaryBytes)
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionUpdate),
						expectRefreshed(s.addr, map[string]any{
							"values":        map[string]any{"mine": "1", "foreign_text": "x"},
							"binary_values": map[string]any{"foreign_bin": base64.StdEncoding.EncodeToString(binaryBytes)},
						}),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						s.holds(s.spare, map[string]string{"mine": "1"}, "foreign_text", "foreign_bin"),
					},
				},
				{
					PreConfig: func() { s.set(s.spare, "left", []byte("for destroy")) },
					Config:    cfg,
					// Refresh finds the new key and plans its removal.
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
				},
			},
		})
	})
}

func TestAccOrgMetadata_orgRemoved(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations()
	cfg := e.Provider() + orgMetadata("test", "org_id = "+hclString(e.SecondOrgID), attrMap("values", map[string]string{"k": "v"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { e.removeOrg(e.SecondOrgID) },
				// Refresh drops it from state with a warning; planning to create
				// it again fails with advice instead of leaving a tainted object
				// at every apply.
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: errorText("Organization Removed", "does not exist or was removed", "Remove this resource from the configuration, or point its org_id"),
			},
			{
				// Following the advice: without the resource, the apply succeeds.
				Config: e.Provider(),
			},
		},
	})
}

func TestAccMetadata_createConflict(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		same, differs := e.K("same"), e.K("differs")
		cfg := e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{same: "1", differs: "mine"}))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						s.set(s.id, same, []byte("1"))
						s.set(s.id, differs, []byte("theirs"))
					},
					// The plan already says so: nothing is applied.
					Config:      cfg,
					PlanOnly:    true,
					ExpectError: errorText(`Unable to Plan `+s.title()+` Metadata`, `Keys that exist with a different value: "`+differs+`"`, `terraform import`),
				},
				{
					// With the conflict resolved, the equal key is adopted: only
					// the other one is written.
					PreConfig: func() {
						s.del(s.id, differs)
						e.resetCalls()
					},
					Config: cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						s.writes(1, 0),
						s.holds(s.id, map[string]string{same: "1", differs: "mine"}),
					},
				},
			},
		})
	})
}

func TestAccOrgMetadata_permissions(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	if e.ViewerToken == "" || e.OutsiderToken == "" {
		t.Skip("needs ZITADEL_VIEWER_ACCESS_TOKEN and ZITADEL_OUTSIDER_ACCESS_TOKEN")
	}
	body := orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{e.K("k"): "v"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// A new resource reads its organization at plan time, so bad
				// credentials and a missing membership fail the plan.
				Config:      e.ProviderWithToken("not-a-token") + body,
				PlanOnly:    true,
				ExpectError: errorText(`Unable to Plan Organization Metadata`, `ZITADEL refused the credentials`),
			},
			{
				// v2 answers the outsider's search with an empty list; the
				// provider finds out why.
				Config:      e.ProviderWithToken(e.OutsiderToken) + body,
				PlanOnly:    true,
				ExpectError: errorText(e.byAPI(`has no membership in organization`, `exists, but the caller may not read it`), `Grant it ORG_OWNER or ORG_SETTINGS_MANAGER`),
			},
			{
				PreConfig:   func() { e.Set(e.OrgID, e.K("other"), []byte("x")) },
				Config:      e.ProviderWithToken(e.ViewerToken) + body,
				ExpectError: errorText(`lacks the permission org.write`, `ORG_OWNER or ORG_SETTINGS_MANAGER`),
			},
			{
				// Every key already holds the configured value: the create
				// writes them again, so a token that may only read cannot own
				// keys it could never remove.
				PreConfig:   func() { e.Set(e.OrgID, e.K("k"), []byte("v")) },
				Config:      e.ProviderWithToken(e.ViewerToken) + body,
				ExpectError: errorText(`lacks the permission org.write`, `ORG_OWNER or ORG_SETTINGS_MANAGER`),
			},
			{
				// The failed creates left no tainted object: this is a plain
				// create, not a replacement.
				Config: e.Provider() + body,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
			},
			{
				// Refreshing with a token that has no membership is an error,
				// never "the metadata is gone".
				Config:      e.ProviderWithToken(e.OutsiderToken) + body,
				PlanOnly:    true,
				ExpectError: errorText(`Unable to Read Organization Metadata`, e.byAPI(`has no membership in organization `+e.OrgID, `organization `+e.OrgID+` exists, but the caller may not read it`)),
			},
			{
				// The state still holds the resource: with the owner's token the
				// plan is empty.
				Config:   e.Provider() + body,
				PlanOnly: true,
			},
		},
	})
}

func TestAccOrgMetadata_orgScoping(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // it needs the caller's own organization
	k := e.K("scoped")
	body := orgMetadata("test", attrMap("values", map[string]string{k: "v"}))
	// No default: the caller's own organization, so the resource moves.
	moved := resource.TestStep{
		Config: e.Provider() + body,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(res, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
			e.serverHolds(e.OrgID, map[string]string{k: "v"}),
			e.serverHolds(e.SecondOrgID, nil, k),
		},
	}
	noDefault := []resource.TestStep{moved}
	if e.version == zitadel.APIV2 {
		// v2 cannot tell the caller's own organization: the resource stays
		// in the one its state records; then it moves explicitly.
		noDefault = []resource.TestStep{{
			Config: e.Provider() + body,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("org_id"), knownvalue.StringExact(e.SecondOrgID)),
			},
		}, moved}
		noDefault[1].Config = e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{k: "v"}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: append(append([]resource.TestStep{
			{
				// The provider's default organization.
				Config: e.Provider("org_id = "+hclString(e.SecondOrgID)) + body,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("org_id"), knownvalue.StringExact(e.SecondOrgID)),
					e.serverHolds(e.SecondOrgID, map[string]string{k: "v"}),
				},
			},
		}, noDefault...), []resource.TestStep{
			{
				// An explicit org_id change replaces too.
				Config: e.Provider() + orgMetadata("test", "org_id = "+hclString(e.SecondOrgID), attrMap("values", map[string]string{k: "v"})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.SecondOrgID, map[string]string{k: "v"}),
					e.serverHolds(e.OrgID, nil, k),
				},
			},
		}...),
	})
}

func TestAccMetadata_parallelWriteConflict(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		var cfg strings.Builder
		cfg.WriteString(e.Provider())
		want := map[string]string{}
		for i := 0; i < 4; i++ {
			k := e.K(fmt.Sprintf("parallel%d", i))
			want[k] = "v"
			cfg.WriteString(s.resource(fmt.Sprintf("r%d", i), s.id, attrMap("values", map[string]string{k: "v"})))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{{
				// A real ZITADEL produces the conflicts by itself, now and
				// then; the fake on demand.
				PreConfig: func() {
					if e.srv != nil {
						e.srv.InjectFault(s.m.Set, 3, fakezitadel.Fault{Code: codes.Unknown, Message: fakezitadel.WriteConflictMessage})
					}
				},
				Config:            cfg.String(),
				ConfigStateChecks: []statecheck.StateCheck{s.holds(s.id, want)},
			}},
		})
	})
}

func TestAccOrgMetadata_validation(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	cases := map[string]struct {
		lines []string
		want  string
	}{
		"key too long":     {[]string{attrMap("values", map[string]string{strings.Repeat("k", 201): "v"})}, `has 201 characters; ZITADEL accepts keys of 1 to 200`},
		"empty value":      {[]string{attrMap("values", map[string]string{"k": ""})}, `The value of key "k" in values has 0 bytes`},
		"value too large":  {[]string{attrMap("values", map[string]string{"k": strings.Repeat("x", 500001)})}, `has 500001 bytes; ZITADEL accepts values of 1 to 500000`},
		"bad base64":       {[]string{attrMap("binary_values", map[string]string{"img": "not base64!"})}, `The value of key "img" in binary_values is not valid standard base64`},
		"key in two maps":  {[]string{attrMap("values", map[string]string{"dup": "a"}), attrMap("sensitive_values", map[string]string{"dup": "b"})}, `The key "dup" appears in both values and sensitive_values`},
		"binary too large": {[]string{attrMap("binary_values", map[string]string{"b": base64.StdEncoding.EncodeToString(make([]byte, 500001))})}, `500001 bytes after base64 decoding`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      e.Provider() + orgMetadata("test", c.lines...),
			PlanOnly:    true,
			ExpectError: errorText(c.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
	if e.srv != nil && len(e.srv.AllCalls()) != 0 {
		t.Fatalf("plan-time validation made calls: %v", e.srv.AllCalls())
	}
}

func TestAccMetadata_scale(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		e.ownsOrganizations() // it counts every key of the owner
		values := map[string]string{}
		for i := 0; i < 3000; i++ {
			v := fmt.Sprintf("value-%d", i)
			if i%50 == 0 {
				v = strings.Repeat("x", 100*1024)
			}
			values[fmt.Sprintf("key-%04d", i)] = v
		}
		cfg := e.Provider() + s.resource("test", s.id, attrMap("values", values))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{
					PreConfig: e.resetCalls,
					Config:    cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						// 60 values of 100 KiB, about 6 MiB: two calls under the
						// server's 4 MiB cap; three over REST, where the values
						// travel in base64 (about 8 MiB of JSON).
						serverCheck(func() error {
							if n := len(s.metadata(s.id)); n != 3000 {
								return fmt.Errorf("%d keys on the server", n)
							}
							if e.srv == nil {
								return nil
							}
							want := 2
							if e.transport == zitadel.TransportREST {
								want = 3
							}
							if n := e.srv.Calls(s.m.Set); n != want {
								return fmt.Errorf("%d %s calls for about 6 MiB, want %d", n, s.m.Set, want)
							}
							return nil
						}),
					},
				},
				{
					// Refresh is one paged search: three pages of 1,000.
					PreConfig: e.resetCalls,
					Config:    cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						s.writes(0, 0),
						e.onFake(func(srv *fakezitadel.Server) error {
							if n := srv.Calls(s.m.List); n != 3 {
								return fmt.Errorf("%d list calls for one refresh of 3,000 keys, want 3", n)
							}
							return nil
						}),
					},
				},
			},
		})
	})
}

// A non-exclusive resource reads only the keys that start with the prefix
// its keys share, not the whole organization.
func TestAccOrgMetadata_refreshReadsOnlyTheSharedPrefix(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	others := map[string][]byte{}
	for i := 0; i < 2500; i++ {
		others[e.K(fmt.Sprintf("other-%04d", i))] = []byte("not ours")
	}
	e.setMany(e.OrgID, others)
	color, logo := e.K("app.color"), e.K("app.logo")
	cfg := e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{color: "blue", logo: "x"}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					e.Delete(e.OrgID, logo) // drift inside the prefix is still seen
					e.resetCalls()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					e.serverHolds(e.OrgID, map[string]string{color: "blue", logo: "x"}),
					// 2,502 keys would be three pages; "<prefix>app." matches two.
					e.pagesPerSearch(1),
				},
			},
		},
	})
}
