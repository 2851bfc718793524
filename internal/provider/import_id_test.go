package provider

import (
	"reflect"
	"testing"
)

func TestParseImportID(t *testing.T) {
	cases := []struct {
		in   string
		want importID
		err  string
	}{
		{in: "123", want: importID{Owner: "123"}},
		{in: "123:a", want: importID{Owner: "123", Keys: []string{"a"}}},
		{in: "123:a,b", want: importID{Owner: "123", Keys: []string{"a", "b"}}},
		{in: `123:a\,b,c`, want: importID{Owner: "123", Keys: []string{"a,b", "c"}}},
		{in: `123:back\\slash`, want: importID{Owner: "123", Keys: []string{`back\slash`}}},
		{in: "123:url:https://x", want: importID{Owner: "123", Keys: []string{"url:https://x"}}},
		{in: "123:with space,日本", want: importID{Owner: "123", Keys: []string{"with space", "日本"}}},
		{in: "", err: "the id before the first colon is empty"},
		{in: ":a", err: "the id before the first colon is empty"},
		{in: "123:", err: "a key in the list is empty"},
		{in: "123:a,,b", err: "a key in the list is empty"},
		{in: "123:a,", err: "a key in the list is empty"},
		{in: `123:a\`, err: `a backslash must be followed by "," or "\"`},
		{in: `123:a\b`, err: `a backslash must be followed by "," or "\"`},
		{in: "123:a,a", err: `the key "a" is listed twice`},
	}
	for _, c := range cases {
		got, err := parseImportID(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("parseImportID(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseImportID(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestImportIDRoundTrip(t *testing.T) {
	for _, id := range []importID{
		{Owner: "1"},
		{Owner: "1", Keys: []string{`a,b`, `c\d`, `\,`, "e:f"}},
	} {
		got, err := parseImportID(id.String())
		if err != nil || !reflect.DeepEqual(got, id) {
			t.Errorf("round trip of %+v via %q gave %+v, %v", id, id.String(), got, err)
		}
	}
}

func FuzzImportID(f *testing.F) {
	for _, s := range []string{"1", "1:a", `1:a\,b,c`, `1:\\`, "1:a,,", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseImportID(s)
		if err != nil {
			return
		}
		// Whatever parses builds back to an ID that parses the same.
		again, err := parseImportID(id.String())
		if err != nil || !reflect.DeepEqual(again, id) {
			t.Fatalf("%q parsed to %+v, which builds %q and parses to %+v, %v", s, id, id.String(), again, err)
		}
	})
}
