package provider

// Time: transient failures retried within retry_timeout, an endless outage
// failing in bounded time, and an operation's timeouts (timeouts.go), with
// faults injected by a fakezitadel.Front in front of the server (the fake,
// or a real ZITADEL).

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

func TestAccFaults_transientWritesAreRetried(t *testing.T) {
	faults := map[string]fakezitadel.Fault{
		"Unavailable":       {Code: codes.Unavailable, Message: "try later"},
		"ResourceExhausted": {Code: codes.ResourceExhausted, Message: "try later"},
		// A gateway in front of ZITADEL that answers with its own page.
		"502 page": {Page: 502},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			parallelOnFake(t)
			e := newTestEnv(t)
			front := e.withFront(fakezitadel.Options{})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						front.InjectFault(e.m.Set, 2, fault)
						e.resetCalls()
					},
					Config: e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{e.K("k"): "v"})),
					ConfigStateChecks: []statecheck.StateCheck{
						e.serverHolds(e.OrgID, map[string]string{e.K("k"): "v"}),
						serverCheck(func() error {
							if n := front.Calls(e.m.Set); n != 3 {
								return fmt.Errorf("%d %s calls, want 3 (two failures, then success)", n, e.m.Set)
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
	parallelOnFake(t)
	e := newTestEnv(t)
	front := e.withFront(fakezitadel.Options{})
	provider := e.Provider(`retry_timeout = "1s"`)
	k := e.K("k")
	cfg := func(v string) string {
		return provider + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{k: v}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("v1")},
			{
				PreConfig: func() {
					front.InjectFault(e.m.Set, -1, fakezitadel.Fault{Code: codes.Unavailable, Message: "down for good"})
				},
				Config:      cfg("v2"),
				ExpectError: errorText("ZITADEL answered Unavailable: down for good", "stayed unavailable or overloaded through", "attempts"),
			},
			{
				// The state still says v1: the plan without refresh wants v2.
				PreConfig:          front.ClearFaults,
				Config:             cfg("v2"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					expectRefreshed(res, map[string]any{"values": map[string]any{k: "v1"}}),
				}},
			},
			{Config: cfg("v2"), ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{k: "v2"})}},
		},
	})
}

func TestAccFaults_slowServerHitsTheTimeout(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	front := e.withFront(fakezitadel.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Provider() + orgMetadata("test", `values = { k = "v" }`, "timeouts {\n    create = \"soon\"\n  }"),
				PlanOnly:    true,
				ExpectError: errorText(`Invalid Attribute Value Time Duration`, `"soon" must be a string containing a sequence of decimal numbers`),
			},
			{
				PreConfig: func() {
					front.InjectFault(e.m.Set, 1, fakezitadel.Fault{Delay: time.Minute})
				},
				Config: e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{e.K("k"): "v"}),
					"timeouts {\n    create = \"1s\"\n  }"),
				ExpectError: regexp.MustCompile(`(?s)the\s+provider\s+stopped\s+waiting\s+for\s+ZITADEL\s+after\s+1(\.\d+)?s\..*time\s+limit\s+ran\s+out\s+before\s+ZITADEL\s+answered.*timeouts\s+block`),
			},
		},
	})
}
