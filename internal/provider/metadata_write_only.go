package provider

// Write-only values (sensitive_values_wo, Terraform 1.11 and later): their
// values reach ZITADEL from the configuration and are never stored. The
// state keeps the keys, each with a status (sensitive_values_wo_keys); the
// private state keeps, per key, an HMAC-SHA256 of the value under a random
// salt of the resource, so that a refresh tells a value changed or removed
// outside Terraform, and a plan a value changed in the configuration,
// without holding the value (DESIGN.md section 7).

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The statuses of a write-only key in sensitive_values_wo_keys.
const (
	woWritten    = "written"
	woChanged    = "changed outside Terraform"
	woRemoved    = "removed outside Terraform"
	woNotWritten = "not written"
)

// privateWriteOnly is the private state key of the digests.
const privateWriteOnly = "write_only"

// privateData is a request's or response's private state.
type privateData interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateSetter is a response's private state.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// woDigests are the salted digests of a resource's write-only values.
type woDigests struct {
	Salt []byte            `json:"salt"`
	Sums map[string][]byte `json:"sums,omitempty"`
}

// loadDigests reads the digests from private state, or starts with a new
// salt when there are none (a new resource, or one that never had a
// write-only key).
func loadDigests(ctx context.Context, p privateData, diags *diag.Diagnostics) *woDigests {
	d := &woDigests{}
	if p != nil {
		raw, gd := p.GetKey(ctx, privateWriteOnly)
		diags.Append(gd...)
		if len(raw) > 0 && json.Unmarshal(raw, d) != nil {
			d = &woDigests{}
		}
	}
	if len(d.Salt) == 0 {
		d.Salt = make([]byte, 32)
		_, _ = rand.Read(d.Salt)
		d.Sums = nil
	}
	return d
}

// sum is the salted digest of a value.
func (d *woDigests) sum(raw []byte) string {
	m := hmac.New(sha256.New, d.Salt)
	m.Write(raw)
	return string(m.Sum(nil))
}

// attach gives the write-only keys of ks that were written their digests.
func (d *woDigests) attach(ks keySet) {
	for k, v := range ks {
		if v.in == inWriteOnly && v.text == woWritten {
			v.digest = string(d.Sums[k])
			ks[k] = v
		}
	}
}

// save records the digests of the written write-only keys of ks; nothing
// when ks has none and the private state has none either.
func (d *woDigests) save(ctx context.Context, p privateSetter, ks keySet, diags *diag.Diagnostics) {
	sums := map[string][]byte{}
	for k, v := range ks {
		if v.in == inWriteOnly && v.text == woWritten && v.digest != "" {
			sums[k] = []byte(v.digest)
		}
	}
	if len(sums) == 0 && len(d.Sums) == 0 {
		return
	}
	d.Sums = sums
	raw, err := json.Marshal(d)
	if err != nil {
		diags.AddError("Unable to Record Write-Only Values", err.Error())
		return
	}
	diags.Append(p.SetKey(ctx, privateWriteOnly, raw)...)
}

// writeOnlyValues reads sensitive_values_wo of a configuration: its keys
// with their values and digests. complete is false when the map or a value
// is not known yet.
func (m *metadataModel) writeOnlyValues(d *woDigests) (ks keySet, complete bool) {
	ks, complete = keySet{}, !m.SensitiveValuesWO.IsUnknown()
	for key, ev := range m.SensitiveValuesWO.Elements() {
		sv, ok := ev.(types.String)
		if !ok || sv.IsUnknown() || sv.IsNull() {
			ks[key] = value{in: inWriteOnly}
			complete = false
			continue
		}
		raw := []byte(sv.ValueString())
		ks[key] = value{in: inWriteOnly, raw: raw, text: woWritten, digest: d.sum(raw)}
	}
	return ks, complete
}

// withWriteOnly is a plan's keys with the configuration's write-only ones
// in place of those the plan lists.
func withWriteOnly(plan, wo keySet) keySet {
	for k, v := range plan {
		if v.in == inWriteOnly {
			delete(plan, k)
		}
	}
	for k, v := range wo {
		plan[k] = v
	}
	return plan
}

// versionChanged tells whether a plan asks to write the write-only values
// again.
func versionChanged(state, plan metadataModel) bool {
	return !state.SensitiveValuesWOVersion.Equal(plan.SensitiveValuesWOVersion)
}

// plannedWriteOnlyKeys is sensitive_values_wo_keys after the apply: every
// configured write-only key written. A key held as written whose value
// differs from what was written (changed in the configuration), or is not
// known yet, is unknown, so the plan shows that it is written again; a
// state that says it drifted shows by its status. held is the state's
// write-only keys with their digests (none when the version changes: the
// version's own change shows then).
func plannedWriteOnlyKeys(cfg keySet, complete bool, held keySet) types.Map {
	if !complete && len(cfg) == 0 {
		return types.MapUnknown(types.StringType)
	}
	elems := make(map[string]attr.Value, len(cfg))
	for k, v := range cfg {
		h, had := held[k]
		switch {
		case v.raw == nil, had && h.text == woWritten && h.digest != v.digest:
			elems[k] = types.StringUnknown()
		default:
			elems[k] = types.StringValue(woWritten)
		}
	}
	if len(elems) == 0 {
		return types.MapNull(types.StringType)
	}
	return types.MapValueMust(types.StringType, elems)
}
