package provider

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// metadataModel is the attributes every metadata resource has.
type metadataModel struct {
	ID              types.String `tfsdk:"id"`
	OrgID           types.String `tfsdk:"org_id"`
	Values          types.Map    `tfsdk:"values"`
	BinaryValues    types.Map    `tfsdk:"binary_values"`
	SensitiveValues types.Map    `tfsdk:"sensitive_values"`
	// SensitiveValuesWO is write-only: set in a configuration, null in
	// plans and states, which list its keys in SensitiveValuesWOKeys.
	SensitiveValuesWO        types.Map      `tfsdk:"sensitive_values_wo"`
	SensitiveValuesWOVersion types.Int64    `tfsdk:"sensitive_values_wo_version"`
	SensitiveValuesWOKeys    types.Map      `tfsdk:"sensitive_values_wo_keys"`
	Exclusive                types.Bool     `tfsdk:"exclusive"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

// metadataObject is a resource's state or plan: the shared attributes,
// and user_id for a user's metadata (unused for an organization's).
type metadataObject struct {
	metadataModel
	UserID types.String `tfsdk:"user_id"`
}

// mapAttr names each valueMap's attribute.
var mapAttr = map[valueMap]string{inValues: "values", inBinaryValues: "binary_values", inSensitiveValues: "sensitive_values", inWriteOnly: "sensitive_values_wo"}

func (m *metadataModel) mapOf(k valueMap) *types.Map {
	switch k {
	case inBinaryValues:
		return &m.BinaryValues
	case inSensitiveValues:
		return &m.SensitiveValues
	case inWriteOnly:
		return &m.SensitiveValuesWO
	}
	return &m.Values
}

// keys collects the managed keys of a plan or state. Values must be known.
// It reads the maps' elements as they are, without converting them through
// reflection: at thousands of keys that conversion was most of the
// provider's own share of a create. Write-only keys come with their status
// and no value (a plan's keys of unknown status are left out: the
// configuration has them).
func (m *metadataModel) keys() (keySet, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := keySet{}
	for key, ev := range m.SensitiveValuesWOKeys.Elements() {
		if sv, ok := ev.(types.String); ok && !sv.IsUnknown() && !sv.IsNull() {
			out[key] = value{in: inWriteOnly, text: sv.ValueString()}
		}
	}
	for _, k := range valueMaps {
		mv := m.mapOf(k)
		if mv.IsNull() || mv.IsUnknown() {
			continue
		}
		for key, ev := range mv.Elements() {
			p := path.Root(mapAttr[k]).AtMapKey(key)
			sv, ok := ev.(types.String)
			if !ok || sv.IsNull() || sv.IsUnknown() {
				diags.AddAttributeError(p, "Metadata Value Not Known",
					fmt.Sprintf("The value of key %q in %s is null or not known where a known value is needed. This is a bug in the provider: please report it.", key, mapAttr[k]))
				continue
			}
			s := sv.ValueString()
			switch k {
			case inValues:
				out[key] = textValue(s)
			case inSensitiveValues:
				out[key] = sensitiveValue(s)
			case inBinaryValues:
				v, err := binaryValue(s)
				if err != nil {
					diags.AddAttributeError(p, "Invalid Base64 Value",
						fmt.Sprintf("The value of key %q in binary_values is not valid base64: %s.", key, err))
					continue
				}
				out[key] = v
			}
		}
	}
	return out, diags
}

// setKeys writes the keys into the three maps, and the write-only keys'
// statuses into sensitive_values_wo_keys. A map with no keys keeps the
// null-ness it had in like, so an omitted map never diffs against {}.
func (m *metadataModel) setKeys(ks keySet, like metadataModel) {
	m.SensitiveValuesWOKeys = writeOnlyKeys(ks)
	for _, k := range valueMaps {
		elems := map[string]attr.Value{}
		for key, v := range ks {
			if v.in == k {
				elems[key] = types.StringValue(v.text)
			}
		}
		prior := like.mapOf(k)
		if len(elems) == 0 && (prior.IsNull() || prior.IsUnknown()) {
			*m.mapOf(k) = types.MapNull(types.StringType)
			continue
		}
		*m.mapOf(k) = types.MapValueMust(types.StringType, elems)
	}
}

// validateKeys checks the configuration against ZITADEL's limits, naming
// each offending key: keys of 1 to 200 characters, values of 1 to 500000
// bytes after decoding, valid base64, and each key in one map only.
func (m *metadataModel) validateKeys(ctx context.Context) diag.Diagnostics {
	var diags diag.Diagnostics
	owner := map[string]string{}
	total := 0
	for _, k := range configMaps {
		mv := m.mapOf(k)
		if mv.IsNull() || mv.IsUnknown() {
			continue
		}
		attrName := mapAttr[k]
		for key, ev := range mv.Elements() {
			p := path.Root(attrName).AtMapKey(key)
			if n := utf8.RuneCountInString(key); n < 1 || n > maxKeyRunes {
				diags.AddAttributeError(p, "Invalid Metadata Key",
					fmt.Sprintf("The key %q in %s has %d characters; ZITADEL accepts keys of 1 to %d characters. Shorten or rename it.", key, attrName, n, maxKeyRunes))
			}
			if other, dup := owner[key]; dup {
				diags.AddAttributeError(p, "Metadata Key in Several Maps",
					fmt.Sprintf("The key %q appears in both %s and %s. A key may appear in only one of values, binary_values, sensitive_values and sensitive_values_wo: remove it from one of them.", key, other, attrName))
			}
			owner[key] = attrName
			total += len(key)
			sv, ok := ev.(types.String)
			if !ok || sv.IsUnknown() {
				continue
			}
			total += len(sv.ValueString())
			if sv.IsNull() {
				diags.AddAttributeError(p, "Missing Metadata Value",
					fmt.Sprintf("The key %q in %s has a null value; ZITADEL needs a value of at least one byte. Remove the key to delete it.", key, attrName))
				continue
			}
			size := len(sv.ValueString())
			if k == inBinaryValues {
				v, err := binaryValue(sv.ValueString())
				if err != nil {
					diags.AddAttributeError(p, "Invalid Base64 Value",
						fmt.Sprintf("The value of key %q in binary_values is not valid standard base64 (%s). Encode it with base64encode() or read a file with filebase64(); use values for plain text.", key, err))
					continue
				}
				size = len(v.raw)
			}
			if size < 1 || size > maxValueSize {
				what := "bytes"
				if k == inBinaryValues {
					what = "bytes after base64 decoding"
				}
				diags.AddAttributeError(p, "Invalid Metadata Value Size",
					fmt.Sprintf("The value of key %q in %s has %d %s; ZITADEL accepts values of 1 to %d bytes. %s", key, attrName, size, what, maxValueSize, sizeRemedy(size)))
			}
		}
	}
	if total > maxResourceBytes {
		diags.AddError("Too Much Metadata for One Resource", fmt.Sprintf(
			"The keys and values of this resource add up to %.1f MiB (%d bytes, binary values counted as their base64 text); one resource can hold at most %d MiB, because Terraform passes a resource's configuration, state and plan to the provider together in messages of at most 256 MiB. Split the keys across several resources of this type, each key in exactly one.",
			float64(total)/(1<<20), total, maxResourceBytes>>20))
	}
	return diags
}

// sizeRemedy says how to fix a value of the wrong size.
func sizeRemedy(size int) string {
	if size < 1 {
		return "An empty value is not metadata: to delete the key, remove it from the configuration."
	}
	return "Shorten the value, or split it across several keys."
}
