package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

func mustBinary(t *testing.T, s string) value {
	t.Helper()
	v, err := binaryValue(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestChanges(t *testing.T) {
	prior := keySet{"same": textValue("1"), "changed": textValue("old"), "dropped": textValue("x"), "moved": textValue("s")}
	desired := keySet{"same": textValue("1"), "changed": textValue("new"), "added": mustBinary(t, "AP8="), "moved": sensitiveValue("s")}
	set, remove := changes(prior, desired)
	if got := fmt.Sprint(set); got != fmt.Sprint([]zitadel.KV{{Key: "added", Value: []byte{0, 0xff}}, {Key: "changed", Value: []byte("new")}}) {
		t.Errorf("set = %s", got)
	}
	if fmt.Sprint(remove) != "[dropped]" {
		t.Errorf("remove = %v", remove)
	}
	// Moving a key between maps with the same bytes writes nothing.
	set, remove = changes(keySet{"k": textValue("v")}, keySet{"k": sensitiveValue("v")})
	if len(set)+len(remove) != 0 {
		t.Errorf("a move between maps wrote %v / removed %v", set, remove)
	}
}

func TestRefresh(t *testing.T) {
	bin := []byte{0xff, 0x00, 'a'}
	prior := keySet{
		"text":      textValue("a"),
		"gone":      textValue("b"),
		"nowbin":    textValue("c"),
		"bin":       mustBinary(t, "aGk=\n"), // same bytes as "hi", other spelling
		"secret":    sensitiveValue("s"),
		"secretbin": sensitiveValue("t"),
	}
	server := map[string][]byte{"text": []byte("A"), "nowbin": bin, "bin": []byte("hi"), "secret": []byte("S"), "secretbin": bin, "foreign": []byte("f")}

	got := refresh(prior, server, false)
	want := map[string]string{
		"text":   "0:A",
		"nowbin": "1:" + base64.StdEncoding.EncodeToString(bin),
		"bin":    "1:aGk=\n",
		"secret": "2:S",
	}
	for k, w := range want {
		if g := fmt.Sprintf("%d:%s", got[k].kind, got[k].text); g != w {
			t.Errorf("%s: got %q, want %q", k, g, w)
		}
	}
	if _, ok := got["gone"]; ok {
		t.Error("a key gone from the server stayed")
	}
	if _, ok := got["foreign"]; ok {
		t.Error("a foreign key was read into a non-exclusive resource")
	}
	if sb := got["secretbin"]; sb.kind != kindSensitive || strings.Contains(sb.text, base64.StdEncoding.EncodeToString(bin)) || string(sb.raw) != string(bin) {
		t.Errorf("non-UTF-8 sensitive value: %+v", sb)
	}
	if f := refresh(prior, server, true)["foreign"]; f.kind != kindText || f.text != "f" {
		t.Errorf("exclusive foreign key: %+v", f)
	}
}

// FuzzValueEncoding: whatever bytes the server holds, the state keeps them
// exactly, and reading the state back yields the same bytes.
func FuzzValueEncoding(f *testing.F) {
	for _, s := range [][]byte{[]byte("text"), {0xff}, {0}, []byte("ä"), {0xe2, 0x82}} {
		f.Add(s)
	}
	// fromState is what a later plan reads back from the state text.
	fromState := func(t *testing.T, v value) []byte {
		switch v.kind {
		case kindText, kindSensitive:
			return []byte(v.text)
		case kindBinary:
			dv, err := binaryValue(v.text)
			if err != nil {
				t.Fatal(err)
			}
			return dv.raw
		}
		t.Fatalf("kind %d", v.kind)
		return nil
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, prefer := range []kind{guessKind(raw), kindText, kindBinary, kindSensitive} {
			v := fromServer(raw, prefer, nil)
			if prefer == kindSensitive && !utf8.Valid(raw) {
				// Never revealed: a marker that differs from every
				// configurable value, so the drift shows as a change.
				if v.kind != kindSensitive || !strings.HasPrefix(v.text, "<non-UTF-8 value") {
					t.Fatalf("sensitive %x became %v", raw, v)
				}
				continue
			}
			if back := fromState(t, v); string(back) != string(raw) || string(v.raw) != string(raw) {
				t.Fatalf("%x preferred as %d came back as %x", raw, prefer, back)
			}
			if prefer == kindText && (v.kind == kindText) != utf8.Valid(raw) {
				t.Fatalf("%x: text kept as %d", raw, v.kind)
			}
		}
	})
}

func stringMap(m map[string]string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

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

func TestParseDomain(t *testing.T) {
	cases := map[string][2]string{
		"example.zitadel.cloud":           {"example.zitadel.cloud", ""},
		"https://example.zitadel.cloud/":  {"example.zitadel.cloud", ""},
		"http://localhost:8080":           {"localhost", "8080"},
		" https://id.example.com/ui/x?y ": {"id.example.com", ""},
		"[::1]:9000":                      {"::1", "9000"},
	}
	for in, want := range cases {
		if h, p := parseDomain(in); h != want[0] || p != want[1] {
			t.Errorf("parseDomain(%q) = %q, %q; want %q, %q", in, h, p, want[0], want[1])
		}
	}
}

func TestExclusiveOffWarning(t *testing.T) {
	exclusiveOffWarning := func(ctx context.Context, state, plan metadataModel) string {
		prior, d1 := state.keys()
		desired, complete := plan.knownKeys()
		if d1.HasError() {
			t.Fatal(d1)
		}
		return exclusiveOffWarning(state, plan, prior, desired, complete)
	}
	null := types.MapNull(types.StringType)
	state := metadataModel{Exclusive: types.BoolValue(true), Values: stringMap(map[string]string{"mine": "1", "foreign": "x"}), BinaryValues: null, SensitiveValues: null}
	plan := metadataModel{Exclusive: types.BoolValue(false), Values: stringMap(map[string]string{"mine": "1"}), BinaryValues: null, SensitiveValues: null}
	if w := exclusiveOffWarning(context.Background(), state, plan); !strings.Contains(w, `"foreign"`) || strings.Contains(w, `"mine"`) {
		t.Fatalf("warning %q", w)
	}
	plan.Exclusive = types.BoolValue(true)
	if w := exclusiveOffWarning(context.Background(), state, plan); w != "" {
		t.Fatalf("still exclusive, but warned %q", w)
	}
	plan.Exclusive = types.BoolValue(false)
	plan.Values = stringMap(map[string]string{"mine": "1", "foreign": "x"})
	if w := exclusiveOffWarning(context.Background(), state, plan); w != "" {
		t.Fatalf("nothing removed, but warned %q", w)
	}
}

// bulk is n keys of size-byte values.
func bulk(n, size int) map[string]string {
	v := strings.Repeat("x", size)
	m := make(map[string]string, n)
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("k%03d", i)] = v
	}
	return m
}

func TestSearchPrefix(t *testing.T) {
	if got := searchPrefix(true, []string{"app.a", "app.b"}); got != "" {
		t.Errorf("an exclusive resource searches %q, want every key", got)
	}
	for keys, want := range map[string]string{
		"":                      "[]",
		"app.color":             "[{app.color 2}]",
		"app.color app.logo":    "[{app. 2}]",
		"app.a b":               "[]",
		"äx äy":                 "[{ä 2}]",
		"\u00e4x \u00e5y":       "[]", // ä and å share a first byte only
		"team/a team/b team/ab": "[{team/ 2}]",
		`dir\a dir\b`:           "[{dir 2}]", // a backslash escapes in ZITADEL's LIKE
		`a\b.x a\b.y`:           "[{a 2}]",
		"50%_a 50%_b":           "[{50%_ 2}]", // % and _ are escaped by ZITADEL
	} {
		var ks []string
		if keys != "" {
			ks = strings.Fields(keys)
		}
		if got := fmt.Sprint(prefixFilter(sharedPrefix(ks))); got != want {
			t.Errorf("prefixFilter(sharedPrefix(%q)) = %s, want %s", keys, got, want)
		}
	}
}
