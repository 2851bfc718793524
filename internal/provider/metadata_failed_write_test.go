package provider

// Writes that fail part way (metadata_failed_write.go): what ZITADEL
// acknowledged is recorded, the rest read back or left out.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

func TestAccFaults_partialChunkedWriteIsRecorded(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		front := e.withFront(fakezitadel.Options{})
		e.tune = func(c *zitadel.Config) {
			c.Retry.InitialBackoff = 5 * time.Millisecond
			// Three 300-byte entries per call, whatever the keys' prefix
			// (real mode's tfacc-<random>-) adds to each.
			c.ChunkBytes = 1000 + 3*len(e.prefix)
			if e.transport == zitadel.TransportREST {
				c.ChunkBytes = 1300 + 3*len(e.prefix) // the same three in JSON, values in base64
			}
		}
		old, updated := map[string]string{}, map[string]string{}
		for i := 0; i < 10; i++ {
			k := e.K(fmt.Sprintf("a%d", i))
			old[k] = "old"
			updated[k] = strings.Repeat(string(rune('n'+i)), 300)
		}
		cfg := func(m map[string]string) string {
			return e.Provider() + s.resource("test", s.id, attrMap("values", m))
		}
		// What the first call wrote, and what it did not reach.
		afterFailure := map[string]any{}
		for i := 0; i < 10; i++ {
			k := e.K(fmt.Sprintf("a%d", i))
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
						front.InjectFault(s.m.Set, 1, fakezitadel.Fault{Code: codes.Internal, Message: "disk full", Skip: 1})
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
						expectRefreshed(s.addr, map[string]any{"values": afterFailure}),
					}},
				},
				{
					// The rest: seven keys, three calls.
					PreConfig:         e.resetCalls,
					Config:            cfg(updated),
					ConfigStateChecks: []statecheck.StateCheck{s.writes(3, 0), s.holds(s.id, updated)},
				},
			},
		})
	})
}

// An interrupted create (Ctrl-C while the server hangs) stops promptly,
// even when the read-back hangs too, and records what the acknowledged
// calls wrote. Terraform cannot be interrupted from terraform-plugin-testing,
// so this drives the resource directly, as the framework would.
func TestInterruptedCreateRecordsAcknowledgedWrites(t *testing.T) {
	forEachWire(t, func(t *testing.T, api, transport string) {
		interruptedCreate(t, api, transport)
	})
}

// An update whose write lands but whose removal fails records exactly that:
// the new value, and the key that is still there.
func TestAccFaults_failedRemoveIsRecorded(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		front := e.withFront(fakezitadel.Options{})
		changed, removed := e.K("changed"), e.K("removed")
		cfg := func(m map[string]string) string {
			return e.Provider() + s.resource("test", s.id, attrMap("values", m))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg(map[string]string{changed: "old", removed: "x"})},
				{
					PreConfig: func() {
						front.InjectFault(s.m.Remove, 1, fakezitadel.Fault{Code: codes.Internal, Message: "disk full"})
					},
					Config:      cfg(map[string]string{changed: "new"}),
					ExpectError: errorText("While removing 1 key "+map[string]string{"org": "in organization", "user": "of user"}[s.kind], "ZITADEL answered Internal: disk full"),
				},
				{
					// Without refresh, the plan starts from the saved state.
					Config:             cfg(map[string]string{changed: "new"}),
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
						expectRefreshed(s.addr, map[string]any{"values": map[string]any{changed: "new", removed: "x"}}),
					}},
				},
				{
					PreConfig: e.resetCalls,
					Config:    cfg(map[string]string{changed: "new"}),
					ConfigStateChecks: []statecheck.StateCheck{
						s.writes(0, 1),
						s.holds(s.id, map[string]string{changed: "new"}, removed),
					},
				},
			},
		})
	})
}

// An update refused by ZITADEL (here: a token without membership, as when
// a saved plan is applied by another account) keeps the state it had. On v2
// the read-back after the failure gets an empty list, which only means "may
// not read": taken at its word, it would record that no key exists.
func TestRefusedUpdateKeepsTheState(t *testing.T) {
	forEachWire(t, func(t *testing.T, api, transport string) {
		srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
		srv.SetMetadata(fx.OrgID, "a", []byte("1"))
		srv.SetMetadata(fx.OrgID, "b", []byte("2"))
		client := testClient(t, srv, fx.OutsiderToken, func(c *zitadel.Config) { c.APIVersion, c.Transport = api, transport })
		r := &metadataResource{data: &providerData{api: client}, e: orgEntity{}}
		ctx := t.Context()
		create, _ := createRequest(t, r, fx.OrgID, map[string]string{"a": "1", "b": "2"})
		state := tfsdk.State{Schema: create.Plan.Schema, Raw: create.Plan.Raw}
		var prior metadataModel
		if d := state.Get(ctx, &prior); d.HasError() {
			t.Fatal(d)
		}
		prior.ID = types.StringValue(fx.OrgID)
		if d := state.Set(ctx, prior); d.HasError() {
			t.Fatal(d)
		}
		next, _ := createRequest(t, r, fx.OrgID, map[string]string{"a": "1", "b": "3"})
		resp := &fwresource.UpdateResponse{State: state}
		r.Update(ctx, fwresource.UpdateRequest{Plan: next.Plan, Config: next.Config, State: state}, resp)
		if !resp.Diagnostics.HasError() {
			t.Fatal("the refused update reported no error")
		}
		var got metadataModel
		if d := resp.State.Get(ctx, &got); d.HasError() {
			t.Fatal(d)
		}
		recorded := map[string]string{}
		_ = got.Values.ElementsAs(ctx, &recorded, false)
		if len(recorded) != 2 || recorded["a"] != "1" || recorded["b"] != "2" {
			t.Fatalf("state after the refused update: %v, want a=1 b=2 as the server holds", recorded)
		}
	})
}

func TestFailedWriteAcknowledged(t *testing.T) {
	f := failedWrite{
		prior:   keySet{"old": textValue("1"), "gone": textValue("2"), "stays": textValue("3")},
		desired: keySet{"old": textValue("new"), "added": textValue("4"), "late": textValue("5"), "stays": textValue("3")},
		set:     []zitadel.KV{{Key: "added", Value: []byte("4")}, {Key: "old", Value: []byte("new")}, {Key: "late", Value: []byte("5")}},
		setDone: 2,
		remove:  []string{"gone"},
	}
	got := f.acknowledged()
	want := map[string]string{"old": "new", "added": "4", "gone": "2", "stays": "3"}
	if len(got) != len(want) {
		t.Fatalf("acknowledged = %v", got)
	}
	for k, v := range want {
		if string(got[k].raw) != v {
			t.Fatalf("acknowledged[%q] = %q, want %q", k, got[k].raw, v)
		}
	}
	f.removeDone = 1
	if _, ok := f.acknowledged()["gone"]; ok {
		t.Fatal("an acknowledged removal is still recorded")
	}
}

func interruptedCreate(t *testing.T, api, transport string) {
	srv, fx := fakezitadel.StartTest(t, fakezitadel.Options{})
	m := methodsOf[api]
	client := testClient(t, srv, fx.OwnerToken, func(c *zitadel.Config) {
		c.APIVersion, c.Transport = api, transport
		c.ChunkBytes = 1000 // three 300-byte entries per call
		if transport == zitadel.TransportREST {
			c.ChunkBytes = 1300 // the same three in JSON
		}
	})
	r := &metadataResource{data: &providerData{api: client, interruptGrace: 200 * time.Millisecond}, e: orgEntity{}}
	values := map[string]string{}
	for i := 0; i < 9; i++ {
		values[fmt.Sprintf("k%d", i)] = strings.Repeat(fmt.Sprint(i), 300)
	}
	// The first BulkSet lands; the second hangs. The read before the write
	// works; the read-back after it hangs.
	srv.InjectFault(m.Set, 1, fakezitadel.Fault{Delay: time.Hour, Skip: 1})
	srv.InjectFault(m.List, -1, fakezitadel.Fault{Delay: time.Hour, Skip: 1})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, resp := createRequest(t, r, fx.OrgID, values)
	done := make(chan struct{})
	go func() { defer close(done); r.Create(ctx, req, resp) }()
	for srv.Calls(m.Set) < 2 {
		select {
		case <-done:
			t.Fatalf("create ended before the second write: %v", resp.Diagnostics)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel() // Ctrl-C: Terraform's StopProvider cancels the request's context
	select {
	case <-done:
	case <-time.After(readBackTimeout / 2):
		t.Fatal("the interrupted create waited for the hanging read-back instead of its short grace")
	}
	if !resp.Diagnostics.HasError() {
		t.Fatal("an interrupted create reported no error")
	}
	var got metadataModel
	if resp.State.Raw.IsNull() {
		t.Fatal("nothing recorded, although the first call was acknowledged")
	}
	if d := resp.State.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	recorded := map[string]string{}
	_ = got.Values.ElementsAs(ctx, &recorded, false)
	want := srv.Metadata(fx.OrgID)
	if len(recorded) != 3 || len(want) != 3 {
		t.Fatalf("recorded %d keys, the server holds %d; want the 3 of the acknowledged call", len(recorded), len(want))
	}
	for k, v := range recorded {
		if string(want[k]) != v {
			t.Fatalf("recorded %q = %.10q..., the server holds %.10q...", k, v, want[k])
		}
	}
}

// createRequest builds the framework's create request for a plan.
func createRequest(t *testing.T, r *metadataResource, orgID string, values map[string]string) (fwresource.CreateRequest, *fwresource.CreateResponse) {
	t.Helper()
	ctx := context.Background()
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
	null := types.MapNull(types.StringType)
	m := metadataModel{
		ID: types.StringUnknown(), OrgID: types.StringValue(orgID), Exclusive: types.BoolValue(false),
		Values: stringMap(values), BinaryValues: null, SensitiveValues: null, Timeouts: nullTimeouts(),
		SensitiveValuesWO: null, SensitiveValuesWOKeys: null,
	}
	if d := plan.Set(ctx, m); d.HasError() {
		t.Fatal(d)
	}
	cfg := tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}
	return fwresource.CreateRequest{Plan: plan, Config: cfg}, &fwresource.CreateResponse{State: tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}}
}
