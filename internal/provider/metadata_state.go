package provider

// Reading plans, states and configurations into metadataObject and writing
// them back, passing the maps through as they came where possible.

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// getter is a plan, state or configuration; setter a plan or state.
type (
	getter interface {
		Get(ctx context.Context, target any) diag.Diagnostics
	}
	setter interface {
		Set(ctx context.Context, v any) diag.Diagnostics
	}
)

// get reads a plan, state or configuration of the resource's entity.
func (r *metadataResource) get(ctx context.Context, g getter, diags *diag.Diagnostics) metadataObject {
	var o metadataObject
	diags.Append(g.Get(ctx, model(r.e, &o, &o.metadataModel))...)
	return o
}

// set writes a plan or state of the resource's entity.
func (r *metadataResource) set(ctx context.Context, s setter, o metadataObject, diags *diag.Diagnostics) {
	diags.Append(s.Set(ctx, model(r.e, &o, &o.metadataModel))...)
}

// setApplied writes the state of a successful create or update: the planned
// value Terraform sent, with the owner attributes (id, org_id, user_id)
// taken from o, which differs from the plan in nothing else (Terraform
// refuses a new state that differs from any known planned value anyway).
// The maps pass through as they came instead of being converted into
// framework values and back, which at thousands of keys cost more than the
// rest of the apply's own work.
func (r *metadataResource) setApplied(ctx context.Context, st *tfsdk.State, planned tftypes.Value, o metadataObject, diags *diag.Diagnostics) {
	if v, ok := withOwners(ctx, planned, r.ownerAttributes(o)); ok {
		st.Raw = v
		return
	}
	r.set(ctx, st, o, diags)
}

// ownerAttributes are the attributes of o that an apply settles: those
// naming its owner, and the write-only keys' statuses.
func (r *metadataResource) ownerAttributes(o metadataObject) map[string]attr.Value {
	owners := map[string]attr.Value{"id": o.ID, "org_id": o.OrgID, "sensitive_values_wo_keys": o.SensitiveValuesWOKeys}
	if r.e.names().hasUser {
		owners["user_id"] = o.UserID
	}
	return owners
}

// withOwners is planned with the given attributes replaced; false when
// planned is not an object holding them all, or a value does not convert.
func withOwners(ctx context.Context, planned tftypes.Value, owners map[string]attr.Value) (tftypes.Value, bool) {
	var attrs map[string]tftypes.Value
	if planned.IsNull() || !planned.IsKnown() || planned.As(&attrs) != nil {
		return tftypes.Value{}, false
	}
	out := maps.Clone(attrs) // As shares the planned value's map
	for name, v := range owners {
		tv, err := v.ToTerraformValue(ctx)
		if _, present := out[name]; err != nil || !present {
			return tftypes.Value{}, false
		}
		out[name] = tv
	}
	return tftypes.NewValue(planned.Type(), out), true
}
