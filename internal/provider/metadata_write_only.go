package provider

// Write-only values (sensitive_values_wo, Terraform 1.11 and later): their
// values reach ZITADEL from the configuration and are never stored. The
// state keeps the keys, each with a status (sensitive_values_wo_keys); the
// private state keeps, per key, an HMAC-SHA256 of the value under a random
// salt of the resource, so that a refresh tells a value changed or removed
// outside Terraform without holding the value (DESIGN.md section 7).

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
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

// stamp gives the write-only values of ks whose bytes are known the digest
// of those bytes: what the state records once they are written.
func (d *woDigests) stamp(ks keySet) {
	for k, v := range ks {
		if v.in == inWriteOnly && v.raw != nil {
			v.digest = d.sum(v.raw)
			ks[k] = v
		}
	}
}

// writeOnlyValues reads sensitive_values_wo of a configuration: its keys
// with their values, as written. complete is false when the map (then ks
// is nil) or a value is not known yet.
func (m *metadataModel) writeOnlyValues() (ks keySet, complete bool) {
	if m.SensitiveValuesWO.IsUnknown() {
		return nil, false
	}
	ks, complete = keySet{}, true
	for key, ev := range m.SensitiveValuesWO.Elements() {
		sv, ok := ev.(types.String)
		if !ok || sv.IsUnknown() || sv.IsNull() {
			ks[key] = value{in: inWriteOnly}
			complete = false
			continue
		}
		ks[key] = value{in: inWriteOnly, raw: []byte(sv.ValueString()), text: woWritten}
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

// writeAlso adds to set, in the order given, each of keys that set lacks,
// with its desired bytes; a write-only one then records the digest of what
// it writes.
func writeAlso(set []zitadel.KV, desired keySet, keys []string, d *woDigests) []zitadel.KV {
	for _, k := range keys {
		if slices.ContainsFunc(set, func(kv zitadel.KV) bool { return kv.Key == k }) {
			continue
		}
		v := desired[k]
		if v.in == inWriteOnly {
			v.digest = d.sum(v.raw)
			desired[k] = v
		}
		set = append(set, zitadel.KV{Key: k, Value: v.raw})
	}
	return set
}

// writeOnlyKeys is sensitive_values_wo_keys for ks: each write-only key
// with its status; null without any.
func writeOnlyKeys(ks keySet) types.Map {
	wo := map[string]attr.Value{}
	for key, v := range ks {
		if v.in == inWriteOnly {
			wo[key] = types.StringValue(v.text)
		}
	}
	if len(wo) == 0 {
		return types.MapNull(types.StringType)
	}
	return types.MapValueMust(types.StringType, wo)
}

// versionChanged tells whether a plan asks to write the write-only values
// again.
func versionChanged(state, plan metadataModel) bool {
	return !state.SensitiveValuesWOVersion.Equal(plan.SensitiveValuesWOVersion)
}

// keepWritten makes the write-only keys of desired that prior holds as
// written keep what was written: an update writes a write-only value when
// its key is new, when a refresh found it changed, removed or not written,
// and when the version changes (rewrite), not when only the configuration
// gives another value. So a source that changes on every run (an ephemeral
// random password, a short-lived token) does not rewrite, and rotate, the
// secret on every apply; a new version does, as for write-only attributes
// across providers.
func keepWritten(prior, desired keySet, rewrite bool) {
	if rewrite {
		return
	}
	for k, d := range desired {
		if p, ok := prior[k]; ok && d.in == inWriteOnly && p.in == inWriteOnly && p.text == woWritten && p.digest != "" {
			d.digest = p.digest
			desired[k] = d
		}
	}
}

// plannedWriteOnlyKeys is sensitive_values_wo_keys in a plan. It stays as
// the state has it only when the plan changes nothing (noChange) and every
// configured key is held as written: then no apply follows. Any other plan
// leaves it unknown, so that the apply walk's second plan (which opens the
// ephemeral sources again) can never contradict it; a state that says a
// key drifted, or a new or dropped key, is such a change.
func plannedWriteOnlyKeys(cfg keySet, complete bool, state *metadataObject, held keySet, noChange bool) types.Map {
	unknown := types.MapUnknown(types.StringType)
	if state == nil || !noChange || (!complete && cfg == nil) || state.SensitiveValuesWOKeys.IsUnknown() {
		return unknown
	}
	for k := range cfg {
		if h, ok := held[k]; !ok || h.in != inWriteOnly || h.text != woWritten {
			return unknown
		}
	}
	for k, h := range held {
		if _, ok := cfg[k]; h.in == inWriteOnly && !ok {
			return unknown
		}
	}
	return state.SensitiveValuesWOKeys
}
