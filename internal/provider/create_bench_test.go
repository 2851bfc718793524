package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// BenchmarkCreateRequests replays, in process, the plugin calls Terraform
// makes to create one zitadelmeta_org_metadata of N keys of 1 to 300 bytes
// (make bench's "varied" workload): in the plan walk validate and plan, in
// the apply walk plan again and apply, each walk with a provider of its own
// as Terraform starts one per walk. It measures the provider's side of a
// create without Terraform, process starts and the wire, against the
// in-process fake, so that -cpuprofile shows where the provider's time goes
// (see BENCHMARKS.md). Each iteration creates in a fresh organization and
// checks that every key landed.
func BenchmarkCreateRequests(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchmarkCreate(b, n) })
	}
}

func benchmarkCreate(b *testing.B, n int) {
	const typeName = "zitadelmeta_org_metadata"
	srv, fx := fakezitadel.StartTest(b, fakezitadel.Options{})
	ctx := context.Background()
	host, p := splitHostPort(srv.Addr())
	port, err := strconv.Atoi(p)
	if err != nil {
		b.Fatal(err)
	}
	server := func() tfprotov6.ProviderServer {
		ps, err := providerserver.NewProtocol6WithError(New("bench")())()
		if err != nil {
			b.Fatal(err)
		}
		return ps
	}
	schemas, err := server().GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	pt := schemas.Provider.ValueType().(tftypes.Object)
	rt := schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
	providerConfig := dynamicObject(b, pt, map[string]tftypes.Value{
		"domain": tftypes.NewValue(tftypes.String, host), "port": tftypes.NewValue(tftypes.Number, port),
		"insecure": tftypes.NewValue(tftypes.Bool, true), "access_token": tftypes.NewValue(tftypes.String, fx.OwnerToken),
	})
	values := map[string]tftypes.Value{}
	for i := range n {
		values[fmt.Sprintf("key-%05d", i)] = tftypes.NewValue(tftypes.String, strings.Repeat("v", 1+i*7%300))
	}
	null, err := tfprotov6.NewDynamicValue(rt, tftypes.NewValue(rt, nil)) // no prior state
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		org := srv.AddOrg(fmt.Sprintf("bench-%d", i))
		srv.Grant(fx.OwnerID, org, "ORG_OWNER")
		config := dynamicObject(b, rt, map[string]tftypes.Value{
			"org_id": tftypes.NewValue(tftypes.String, org),
			"values": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, values),
		})
		b.StartTimer()
		for walk := range 2 {
			ps := server()
			if _, err := ps.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
				b.Fatal(err)
			}
			cr, err := ps.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: providerConfig})
			mustSucceed(b, err, cr.Diagnostics)
			vr, err := ps.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: config})
			mustSucceed(b, err, vr.Diagnostics)
			pr, err := ps.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: typeName, Config: config, ProposedNewState: config, PriorState: &null,
			})
			mustSucceed(b, err, pr.Diagnostics)
			if walk == 1 {
				ar, err := ps.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
					TypeName: typeName, Config: config, PlannedState: pr.PlannedState, PriorState: &null,
				})
				mustSucceed(b, err, ar.Diagnostics)
			}
		}
		b.StopTimer()
		if got := len(srv.Metadata(org)); got != n {
			b.Fatalf("the create left %d keys on the server, want %d", got, n)
		}
		b.StartTimer()
	}
}

func mustSucceed(b *testing.B, err error, diags []*tfprotov6.Diagnostic) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			b.Fatalf("%s: %s", d.Summary, d.Detail)
		}
	}
}

// dynamicObject encodes an object of type t with the given attributes, the
// others null.
func dynamicObject(b testing.TB, t tftypes.Object, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	all := map[string]tftypes.Value{}
	for name, at := range t.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			all[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(t, tftypes.NewValue(t, all))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}
