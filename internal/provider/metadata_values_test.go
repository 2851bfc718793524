package provider

import (
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

func TestWritesFor(t *testing.T) {
	prior := keySet{"same": textValue("1"), "changed": textValue("old"), "dropped": textValue("x"), "moved": textValue("s")}
	desired := keySet{"same": textValue("1"), "changed": textValue("new"), "added": mustBinary(t, "AP8="), "moved": sensitiveValue("s")}
	set, remove := writesFor(prior, desired)
	if got := fmt.Sprint(set); got != fmt.Sprint([]zitadel.KV{{Key: "added", Value: []byte{0, 0xff}}, {Key: "changed", Value: []byte("new")}}) {
		t.Errorf("set = %s", got)
	}
	if fmt.Sprint(remove) != "[dropped]" {
		t.Errorf("remove = %v", remove)
	}
	// Moving a key between maps with the same bytes writes nothing.
	set, remove = writesFor(keySet{"k": textValue("v")}, keySet{"k": sensitiveValue("v")})
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

	got := refresh(prior, server, false, &woDigests{Salt: []byte("s")})
	want := map[string]string{
		"text":   "0:A",
		"nowbin": "1:" + base64.StdEncoding.EncodeToString(bin),
		"bin":    "1:aGk=\n",
		"secret": "2:S",
	}
	for k, w := range want {
		if g := fmt.Sprintf("%d:%s", got[k].in, got[k].text); g != w {
			t.Errorf("%s: got %q, want %q", k, g, w)
		}
	}
	if _, ok := got["gone"]; ok {
		t.Error("a key gone from the server stayed")
	}
	if _, ok := got["foreign"]; ok {
		t.Error("a foreign key was read into a non-exclusive resource")
	}
	if sb := got["secretbin"]; sb.in != inSensitiveValues || strings.Contains(sb.text, base64.StdEncoding.EncodeToString(bin)) || string(sb.raw) != string(bin) {
		t.Errorf("non-UTF-8 sensitive value: %+v", sb)
	}
	if f := refresh(prior, server, true, &woDigests{Salt: []byte("s")})["foreign"]; f.in != inValues || f.text != "f" {
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
		switch v.in {
		case inValues, inSensitiveValues:
			return []byte(v.text)
		case inBinaryValues:
			dv, err := binaryValue(v.text)
			if err != nil {
				t.Fatal(err)
			}
			return dv.raw
		}
		t.Fatalf("kind %d", v.in)
		return nil
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, prefer := range []valueMap{guessMap(raw), inValues, inBinaryValues, inSensitiveValues} {
			v := fromServer(raw, prefer, nil)
			if prefer == inSensitiveValues && !utf8.Valid(raw) {
				// Never revealed: a marker that differs from every
				// configurable value, so the drift shows as a change.
				if v.in != inSensitiveValues || !strings.HasPrefix(v.text, "<non-UTF-8 value") {
					t.Fatalf("sensitive %x became %v", raw, v)
				}
				continue
			}
			if back := fromState(t, v); string(back) != string(raw) || string(v.raw) != string(raw) {
				t.Fatalf("%x preferred as %d came back as %x", raw, prefer, back)
			}
			if prefer == inValues && (v.in == inValues) != utf8.Valid(raw) {
				t.Fatalf("%x: text kept as %d", raw, v.in)
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

// bulk is n keys of size-byte values.
func bulk(n, size int) map[string]string {
	v := strings.Repeat("x", size)
	m := make(map[string]string, n)
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("k%03d", i)] = v
	}
	return m
}
