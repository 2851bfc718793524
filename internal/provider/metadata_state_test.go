package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// The state a create or update writes by passing the planned maps through
// is the one the framework's conversion of the whole model writes, for
// either entity, a create's plan (owner unknown) and an update's (owner
// known, every map and the timeouts set).
func TestSetApplied_writesWhatTheConversionWould(t *testing.T) {
	ctx := context.Background()
	timeoutsSet := func(t *testing.T) timeouts.Value {
		t.Helper()
		v, d := types.ObjectValue(nullTimeouts().AttributeTypes(ctx), map[string]attr.Value{
			"create": types.StringValue("5m"), "read": types.StringNull(), "update": types.StringNull(), "delete": types.StringNull(),
		})
		if d.HasError() {
			t.Fatal(d)
		}
		return timeouts.Value{Object: v}
	}
	plans := map[string]func(t *testing.T) metadataObject{
		"create": func(*testing.T) metadataObject {
			return metadataObject{metadataModel: metadataModel{
				ID: types.StringUnknown(), OrgID: types.StringUnknown(), Exclusive: types.BoolValue(true),
				Values:          stringMap(map[string]string{"a": "1", "b": "two"}),
				BinaryValues:    stringMap(map[string]string{"bin": "AP8="}),
				SensitiveValues: types.MapNull(types.StringType), Timeouts: nullTimeouts(),
				SensitiveValuesWO: types.MapNull(types.StringType), SensitiveValuesWOKeys: types.MapUnknown(types.StringType),
			}, UserID: types.StringValue("u1")}
		},
		"update": func(t *testing.T) metadataObject {
			return metadataObject{metadataModel: metadataModel{
				ID: types.StringValue("o1"), OrgID: types.StringValue("o1"), Exclusive: types.BoolValue(false),
				Values:          stringMap(map[string]string{}),
				BinaryValues:    types.MapNull(types.StringType),
				SensitiveValues: stringMap(map[string]string{"s": "secret"}), Timeouts: timeoutsSet(t),
				SensitiveValuesWO: types.MapNull(types.StringType), SensitiveValuesWOKeys: stringMap(map[string]string{"w": woWritten}),
				SensitiveValuesWOVersion: types.Int64Value(2),
			}, UserID: types.StringValue("u1")}
		},
	}
	for _, e := range []entity{orgEntity{}, userEntity{}} {
		for step, planOf := range plans {
			t.Run(e.names().noun+"/"+step, func(t *testing.T) {
				r := &metadataResource{e: e}
				var sr fwresource.SchemaResponse
				r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
				typ := sr.Schema.Type().TerraformType(ctx)
				plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
				o := planOf(t)
				if d := plan.Set(ctx, model(e, &o, &o.metadataModel)); d.HasError() {
					t.Fatal(d)
				}
				before := plan.Raw.Copy()
				var d diag.Diagnostics
				applied := r.get(ctx, plan, &d)
				if d.HasError() {
					t.Fatal(d)
				}
				owner := zitadel.OrgOwner("o1")
				if e.names().hasUser {
					owner = zitadel.UserOwner("o1", "u1")
				}
				e.record(&applied, owner)
				if applied.SensitiveValuesWOKeys.IsUnknown() {
					applied.SensitiveValuesWOKeys = stringMap(map[string]string{"w": woWritten})
				}

				want := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
				got := want
				var d1, d2 diag.Diagnostics
				r.set(ctx, &want, applied, &d1)
				r.setApplied(ctx, &got, plan.Raw, applied, &d2)
				if d1.HasError() || d2.HasError() {
					t.Fatal(d1, d2)
				}
				if !got.Raw.Equal(want.Raw) {
					t.Fatalf("setApplied wrote\n%s\nthe conversion writes\n%s", got.Raw, want.Raw)
				}
				if !got.Raw.IsFullyKnown() {
					t.Fatalf("the applied state has unknown values: %s", got.Raw)
				}
				if !plan.Raw.Equal(before) {
					t.Fatalf("setApplied changed the plan:\n%s\nwas\n%s", plan.Raw, before)
				}
				// The pass-through served it, not the conversion.
				if _, ok := withOwners(ctx, plan.Raw, r.ownerAttributes(applied)); !ok {
					t.Fatal("the planned value did not pass through")
				}
			})
		}
	}
}

// Anything but a known object holding every owner attribute falls back to
// the conversion.
func TestWithOwners_fallsBackWhenItCannotPassThrough(t *testing.T) {
	ctx := context.Background()
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}
	id := map[string]attr.Value{"id": types.StringValue("1")}
	for name, planned := range map[string]tftypes.Value{
		"null":    tftypes.NewValue(obj, nil),
		"unknown": tftypes.NewValue(obj, tftypes.UnknownValue),
		"no id":   tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}, map[string]tftypes.Value{}),
		"string":  tftypes.NewValue(tftypes.String, "x"),
	} {
		if _, ok := withOwners(ctx, planned, id); ok {
			t.Errorf("%s: passed through", name)
		}
	}
	v, ok := withOwners(ctx, tftypes.NewValue(obj, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}), id)
	if !ok || !v.Equal(tftypes.NewValue(obj, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "1")})) {
		t.Errorf("withOwners = %s, %v", v, ok)
	}
}
