package provider

// Import (metadata_import.go): by ID and with import blocks.

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A key written in NFD cannot be named by a configuration (Terraform writes
// NFC): importing it by name says so.
func TestAccImport_keyInAnotherNormalization(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		nfc, nfd := e.K("caf\u00e9"), e.K("cafe\u0301")
		s.set(s.id, nfd, []byte("v"))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{{
				Config:        e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{nfc: "v"})),
				ResourceName:  s.addr,
				ImportState:   true,
				ImportStateId: importID{Owner: s.id, Keys: []string{nfc}}.String(),
				ExpectError:   errorText(fmt.Sprintf("ZITADEL holds %q as %q", nfc, nfd), "another Unicode normalization (NFD, not NFC)", "rename it in ZITADEL"),
			}},
		})
		s.del(s.id, nfd)
	})
}

func TestAccMetadata_import(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		plain, comma, bin := e.K("plain"), e.K("a,b\\c:d"), e.K("bin")
		cfg := e.Provider() + s.resource("test", s.id,
			attrMap("values", map[string]string{plain: "p", comma: "c"}),
			attrMap("binary_values", map[string]string{bin: base64.StdEncoding.EncodeToString(binaryBytes)}),
		)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					// A subset, with a comma and a backslash escaped in the ID.
					Config:            e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{plain: "p", comma: "c"})),
					ResourceName:      s.addr,
					ImportState:       true,
					ImportStateId:     importID{Owner: s.id, Keys: []string{plain, comma}}.String(),
					ImportStateVerify: true,
					// The created resource also manages bin; the import took only two keys.
					ImportStateVerifyIgnore: []string{"binary_values"},
					ImportStateCheck: func(states []*terraform.InstanceState) error {
						if len(states) != 1 || states[0].Attributes["values.%"] != "2" || states[0].Attributes["binary_values.%"] != "" {
							return fmt.Errorf("subset import gave %v", states[0].Attributes)
						}
						return nil
					},
				},
				{Config: cfg, ResourceName: s.addr, ImportState: true, ImportStateId: s.id, ImportStateVerify: e.srv != nil},
				{
					Config:        cfg,
					ResourceName:  s.addr,
					ImportState:   true,
					ImportStateId: s.id + ":" + e.K("missing"),
					ExpectError:   errorText(`has no metadata with the keys`),
				},
			},
		})
	})
}

func TestAccMetadata_importBlock(t *testing.T) {
	forEachSubject(t, func(t *testing.T, s *subject) {
		e := s.testEnv
		a, b := e.K("a"), e.K("b")
		cfg := e.Provider() + s.resource("test", s.id, attrMap("values", map[string]string{a: "1", b: "2"})) +
			fmt.Sprintf("import {\n  to = %s\n  id = %s\n}\n", s.addr, hclString(importID{Owner: s.id, Keys: []string{a, b}}.String()))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{{
				PreConfig: func() {
					s.set(s.id, a, []byte("1"))
					s.set(s.id, b, []byte("2"))
					e.resetCalls()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(s.addr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					s.writes(0, 0),
					statecheck.ExpectKnownValue(s.addr, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{a: knownvalue.StringExact("1"), b: knownvalue.StringExact("2")})),
				},
			}},
		})
	})
}
