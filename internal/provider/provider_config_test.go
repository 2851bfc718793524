package provider

import (
	"testing"
)

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
