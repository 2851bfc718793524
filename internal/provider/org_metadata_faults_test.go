package provider

// Faults injected by the fake: retries, bounded failure, partial chunked
// writes, timeouts, and many resources over one connection.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

func TestAccFaults_transientWritesAreRetried(t *testing.T) {
	for _, code := range []codes.Code{codes.Unavailable, codes.ResourceExhausted} {
		t.Run(code.String(), func(t *testing.T) {
			e := newTestEnv(t)
			e.fakeOnly()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						e.srv.InjectFault("BulkSetOrgMetadata", 2, fakezitadel.Fault{Code: code, Message: "try later"})
						e.resetCalls()
					},
					Config: e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), `values = { k = "v" }`),
					ConfigStateChecks: []statecheck.StateCheck{
						e.serverHolds(e.OrgID, map[string]string{"k": "v"}),
						serverCheck(func() error {
							if n := e.srv.Calls("BulkSetOrgMetadata"); n != 3 {
								return fmt.Errorf("%d BulkSet calls, want 3 (two failures, then success)", n)
							}
							return nil
						}),
					},
				}},
			})
		})
	}
}

func TestAccFaults_endlessOutageFailsInBoundedTime(t *testing.T) {
	e := newTestEnv(t)
	e.fakeOnly()
	provider := e.Provider(`retry_timeout = "1s"`)
	cfg := func(v string) string {
		return provider + orgMetadata("test", "org_id = "+hclString(e.OrgID), `values = { k = "`+v+`" }`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("v1")},
			{
				PreConfig: func() {
					e.srv.InjectFault("BulkSetOrgMetadata", -1, fakezitadel.Fault{Code: codes.Unavailable, Message: "down for good"})
				},
				Config:      cfg("v2"),
				ExpectError: errorText("ZITADEL answered Unavailable: down for good", "stayed unavailable or overloaded through", "attempts"),
			},
			{
				// The state still says v1: the plan without refresh wants v2.
				PreConfig:          e.srv.ClearFaults,
				Config:             cfg("v2"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					expectRefreshed(res, map[string]any{"values": map[string]any{"k": "v1"}}),
				}},
			},
			{Config: cfg("v2"), ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{"k": "v2"})}},
		},
	})
}

func TestAccFaults_partialChunkedWriteIsRecorded(t *testing.T) {
	e := newTestEnv(t)
	e.fakeOnly()
	e.tune = func(c *zitadel.Config) {
		c.Retry.InitialBackoff = 5 * time.Millisecond
		c.ChunkBytes = 1000 // three 300-byte entries per call
	}
	old, updated := map[string]string{}, map[string]string{}
	for i := 0; i < 10; i++ {
		k := fmt.Sprintf("a%d", i)
		old[k] = "old"
		updated[k] = strings.Repeat(string(rune('n'+i)), 300)
	}
	cfg := func(m map[string]string) string {
		return e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", m))
	}
	// What the first call wrote, and what it did not reach.
	afterFailure := map[string]any{}
	for i := 0; i < 10; i++ {
		k := fmt.Sprintf("a%d", i)
		afterFailure[k] = old[k]
		if i < 3 {
			afterFailure[k] = updated[k]
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg(old)},
			{
				PreConfig: func() {
					e.srv.InjectFault("BulkSetOrgMetadata", 1, fakezitadel.Fault{Code: codes.Internal, Message: "disk full", Skip: 1})
				},
				Config:      cfg(updated),
				ExpectError: errorText("ZITADEL answered Internal: disk full"),
			},
			{
				// Without refresh, the plan starts from the saved state: it holds
				// exactly what reached the server.
				Config:             cfg(updated),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					expectRefreshed(res, map[string]any{"values": afterFailure}),
				}},
			},
			{
				// The rest: seven keys, three calls.
				PreConfig:         e.resetCalls,
				Config:            cfg(updated),
				ConfigStateChecks: []statecheck.StateCheck{e.writes(3, 0), e.serverHolds(e.OrgID, updated)},
			},
		},
	})
}

func TestAccFaults_slowServerHitsTheTimeout(t *testing.T) {
	e := newTestEnv(t)
	e.fakeOnly()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Provider() + orgMetadata("test", `values = { k = "v" }`, "timeouts {\n    create = \"soon\"\n  }"),
				PlanOnly:    true,
				ExpectError: errorText(`"soon" is not a positive duration`),
			},
			{
				PreConfig: func() {
					e.srv.InjectFault("BulkSetOrgMetadata", 1, fakezitadel.Fault{Delay: time.Minute})
				},
				Config: e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), `values = { k = "v" }`,
					"timeouts {\n    create = \"1s\"\n  }"),
				ExpectError: errorText("DeadlineExceeded", "The operation ran out of time", "timeouts block"),
			},
		},
	})
}

// Terraform applies these twenty resources ten at a time (its default
// -parallelism=10); every write must travel over the provider's one
// connection.
func TestAccFaults_twentyOrganizationsShareOneConnection(t *testing.T) {
	e := newTestEnv(t)
	e.fakeOnly()
	owner := e.srv.AddUser(e.OrgID)
	token := e.srv.AddToken(owner)
	var cfg strings.Builder
	var orgs []string
	for i := 0; i < 20; i++ {
		org := e.srv.AddOrg(fmt.Sprintf("tenant-%d", i))
		e.srv.Grant(owner, org, "ORG_OWNER")
		orgs = append(orgs, org)
		cfg.WriteString(orgMetadata(fmt.Sprintf("t%d", i), "org_id = "+hclString(org), fmt.Sprintf(`values = { tenant = "%d" }`, i)))
	}
	e.srv.Grant(owner, e.OrgID, "ORG_OWNER")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.resetCalls,
			Config:    e.ProviderWithToken(token) + cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				serverCheck(func() error {
					for i, org := range orgs {
						if got := string(e.srv.Metadata(org)["tenant"]); got != fmt.Sprint(i) {
							return fmt.Errorf("organization %d holds %q", i, got)
						}
					}
					if n, c := e.srv.Calls("BulkSetOrgMetadata"), e.srv.Connections("BulkSetOrgMetadata"); n != 20 || c != 1 {
						return fmt.Errorf("%d BulkSet calls over %d connections, want 20 over 1", n, c)
					}
					return nil
				}),
			},
		}},
	})
}
