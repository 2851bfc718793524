package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestValidateKeys(t *testing.T) {
	null := types.MapNull(types.StringType)
	cases := []struct {
		name    string
		m       metadataModel
		wantErr []string
	}{
		{"valid", metadataModel{Values: stringMap(map[string]string{strings.Repeat("ä", 200): "v"}), BinaryValues: stringMap(map[string]string{"b": "AP8="}), SensitiveValues: null}, nil},
		{"key too long", metadataModel{Values: stringMap(map[string]string{strings.Repeat("k", 201): "v"}), BinaryValues: null, SensitiveValues: null}, []string{"Invalid Metadata Key"}},
		{"empty key", metadataModel{Values: stringMap(map[string]string{"": "v"}), BinaryValues: null, SensitiveValues: null}, []string{"Invalid Metadata Key"}},
		{"empty value", metadataModel{Values: null, BinaryValues: null, SensitiveValues: stringMap(map[string]string{"s": ""})}, []string{"Invalid Metadata Value Size"}},
		{"value at the limit", metadataModel{Values: stringMap(map[string]string{"k": strings.Repeat("x", 500000)}), BinaryValues: null, SensitiveValues: null}, nil},
		{"multi-byte text over the limit", metadataModel{Values: stringMap(map[string]string{"k": strings.Repeat("ä", 250001)}), BinaryValues: null, SensitiveValues: null}, []string{"Invalid Metadata Value Size"}},
		{"bad base64", metadataModel{Values: null, BinaryValues: stringMap(map[string]string{"b": "@@"}), SensitiveValues: null}, []string{"Invalid Base64 Value"}},
		{"decoded empty", metadataModel{Values: null, BinaryValues: stringMap(map[string]string{"b": ""}), SensitiveValues: null}, []string{"Invalid Metadata Value Size"}},
		{"duplicate", metadataModel{Values: stringMap(map[string]string{"d": "1"}), BinaryValues: stringMap(map[string]string{"d": "AA=="}), SensitiveValues: null}, []string{"Metadata Key in Several Maps"}},
		{"unknown map skipped", metadataModel{Values: types.MapUnknown(types.StringType), BinaryValues: null, SensitiveValues: null}, nil},
		{"64 MiB in one resource", metadataModel{Values: stringMap(bulk(134, 500000)), BinaryValues: null, SensitiveValues: null}, nil},
		{"more than 64 MiB in one resource", metadataModel{Values: stringMap(bulk(135, 500000)), BinaryValues: null, SensitiveValues: null}, []string{"Too Much Metadata for One Resource"}},
	}
	for _, c := range cases {
		diags := c.m.validateKeys(context.Background())
		var got []string
		for _, d := range diags.Errors() {
			got = append(got, d.Summary())
		}
		if fmt.Sprint(got) != fmt.Sprint(c.wantErr) {
			t.Errorf("%s: errors %v, want %v", c.name, got, c.wantErr)
		}
	}
}

func TestKeys_readsEveryMapAndRefusesUnknownValues(t *testing.T) {
	m := metadataModel{
		Values:          stringMap(map[string]string{"t": "text"}),
		BinaryValues:    stringMap(map[string]string{"b": "AP8="}),
		SensitiveValues: stringMap(map[string]string{"s": "secret"}),
	}
	ks, d := m.keys()
	if d.HasError() {
		t.Fatal(d)
	}
	if len(ks) != 3 || ks["t"].in != inValues || string(ks["b"].raw) != "\x00\xff" || ks["b"].text != "AP8=" || ks["s"].in != inSensitiveValues {
		t.Fatalf("keys = %+v", ks)
	}
	for _, bad := range []attr.Value{types.StringUnknown(), types.StringNull()} {
		m.Values = types.MapValueMust(types.StringType, map[string]attr.Value{"t": bad})
		if _, d := m.keys(); !d.HasError() || !strings.Contains(d[0].Detail(), `"t" in values`) {
			t.Fatalf("the value %s gave %v", bad, d)
		}
	}
	// A null map holds no keys.
	m.Values, m.BinaryValues = types.MapNull(types.StringType), types.MapNull(types.StringType)
	if ks, d := m.keys(); d.HasError() || len(ks) != 1 || ks["s"].text != "secret" {
		t.Fatalf("keys = %+v, %v", ks, d)
	}
}
