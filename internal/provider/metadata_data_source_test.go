package provider

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

const ds = "data.zitadelmeta_org_metadata.test"

var rfc3339Pattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)

// binaryEntry checks an entry of the data source whose value is not text;
// sequence and owner check what only v1 reports.
func binaryEntry(key, b64 string, sequence, owner knownvalue.Check) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"key":            knownvalue.StringExact(key),
		"value":          knownvalue.Null(),
		"value_base64":   knownvalue.StringExact(b64),
		"sequence":       sequence,
		"creation_date":  knownvalue.StringRegexp(rfc3339Pattern),
		"change_date":    knownvalue.StringRegexp(rfc3339Pattern),
		"resource_owner": owner,
	})
}

// search renders the data source with filters given as key, method pairs.
func search(orgID string, filters ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "data \"zitadelmeta_org_metadata\" \"test\" {\n  org_id = %s\n", hclString(orgID))
	for i := 0; i < len(filters); i += 2 {
		fmt.Fprintf(&b, "  filter {\n    key = %s\n", hclString(filters[i]))
		if filters[i+1] != "" {
			fmt.Fprintf(&b, "    method = %q\n", filters[i+1])
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// keysAre checks the data source found exactly these keys, in this order.
func keysAre(keys ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(keys))
	for i, k := range keys {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact(k)})
	}
	return statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries"), knownvalue.ListExact(checks))
}

func TestAccOrgMetadataDataSource_filters(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	p := e.K("")
	for _, k := range []string{"app_name", "appXname", "App%Cfg", "appycfg", "team.owner", "TEAM.lead"} {
		e.Set(e.OrgID, p+k, []byte("v"))
	}
	step := func(want []string, filters ...string) resource.TestStep {
		for i := range want {
			want[i] = p + want[i]
		}
		// Against a shared real organization, every filter is narrowed to
		// this run's keys by an extra starts_with (filters are ANDed).
		filters = append(filters, p, "starts_with")
		return resource.TestStep{
			Config:            e.Provider() + search(e.OrgID, filters...),
			ConfigStateChecks: []statecheck.StateCheck{keysAre(want...)},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// Checked at plan time, before any call.
				Config:      e.Provider() + search(e.OrgID, "x", "regex"),
				PlanOnly:    true,
				ExpectError: errorText(`method value must be one of`),
			},
			step([]string{"app_name"}, p+"app_name", ""),
			step([]string{"app_name"}, p+"app_name", "equals"),
			step([]string{"TEAM.lead"}, p+"team.LEAD", "equals_ignore_case"),
			step([]string{"app_name"}, p+"app_", "starts_with"),
			step([]string{"TEAM.lead", "team.owner"}, p+"team", "starts_with_ignore_case"),
			step([]string{"App%Cfg"}, "%", "contains"),
			step([]string{"App%Cfg", "appycfg"}, "CFG", "contains_ignore_case"),
			step([]string{"appXname", "app_name"}, "name", "ends_with"),
			step([]string{"App%Cfg", "appycfg"}, "cfg", "ends_with_ignore_case"),
			step([]string{"appXname", "app_name"}, p+"app", "starts_with", "name", "ends_with"),
			// No match is an empty result, not an error.
			step([]string{}, "no such key", "equals"),
		},
	})
}

func TestAccOrgMetadataDataSource_values(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	text, bin := e.K("text"), e.K("bin")
	e.Set(e.OrgID, text, []byte("hello"))
	e.Set(e.OrgID, bin, binaryBytes)
	b64 := base64.StdEncoding.EncodeToString(binaryBytes)
	// Only v1 returns an entry's sequence and owner; on v2 they are null,
	// never 0 or "".
	var sequence, owner knownvalue.Check = knownvalue.NotNull(), knownvalue.StringExact(e.OrgID)
	if e.version == zitadel.APIV2 {
		sequence, owner = knownvalue.Null(), knownvalue.Null()
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.Provider() + search(e.OrgID, e.K(""), "starts_with"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("id"), knownvalue.StringExact(e.OrgID)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{text: knownvalue.StringExact("hello")})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("binary_values"), knownvalue.MapExact(map[string]knownvalue.Check{
					text: knownvalue.StringExact(base64.StdEncoding.EncodeToString([]byte("hello"))),
					bin:  knownvalue.StringExact(b64),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries"), knownvalue.ListExact([]knownvalue.Check{
					binaryEntry(bin, b64, sequence, owner),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact(text), "value": knownvalue.StringExact("hello")}),
				})),
			},
		}},
	})
}

func TestAccOrgMetadataDataSource_manyPages(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // it reads every key of the organization
	many := map[string][]byte{}
	for i := 0; i < 2600; i++ {
		many[e.K(fmt.Sprintf("k%05d", i))] = []byte("v")
	}
	e.setMany(e.OrgID, many)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.resetCalls,
			Config:    e.Provider() + search(e.OrgID) + "output \"count\" {\n  value = length(data.zitadelmeta_org_metadata.test.entries)\n}\n",
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("count", knownvalue.Int64Exact(2600)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries").AtSliceIndex(2599).AtMapKey("key"), knownvalue.StringExact(e.K("k02599"))),
				// However often Terraform reads the data source, each read is
				// exactly three pages of 1,000.
				e.pagesPerSearch(3),
			},
		}},
	})
}

func TestAccOrgMetadataDataSource_access(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	if e.ViewerToken == "" || e.OutsiderToken == "" {
		t.Skip("needs ZITADEL_VIEWER_ACCESS_TOKEN and ZITADEL_OUTSIDER_ACCESS_TOKEN")
	}
	k := e.K("visible")
	e.Set(e.OrgID, k, []byte("to viewers"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.ProviderWithToken(e.ViewerToken) + search(e.OrgID, k, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("values").AtMapKey(k), knownvalue.StringExact("to viewers")),
				},
			},
			{
				Config:      e.ProviderWithToken(e.OutsiderToken) + search(e.OrgID, k, ""),
				ExpectError: errorText(e.byAPI(`has no membership in organization `+e.OrgID, `organization `+e.OrgID+` exists, but the caller may not read it`), `ORG_OWNER_VIEWER`),
			},
		},
	})
}

func TestAccOrgMetadataDataSource_missingOrg(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations()
	e.removeOrg(e.SecondOrgID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Provider() + search(e.SecondOrgID),
				ExpectError: errorText(`Organization ` + e.SecondOrgID + ` does not exist in ZITADEL: it was removed`),
			},
			{
				Config: e.Provider() + search("4242"),
				// v1 refuses the search (AUTH-Bs7Ds); v2 answers it with an
				// empty list, and ListOrganizations then knows no such
				// organization: the same answer either way.
				ExpectError: errorText(`Organization 4242 does not exist in ZITADEL`),
			},
		},
	})
}

func TestAccOrgMetadataDataSource_readsWhatTheResourceWrote(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	k := e.K("written")
	cfg := e.Provider() +
		orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{k: "fresh"})) +
		`data "zitadelmeta_org_metadata" "test" {
  org_id = zitadelmeta_org_metadata.test.org_id
  filter {
    key = keys(zitadelmeta_org_metadata.test.values)[0]
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{k: knownvalue.StringExact("fresh")})),
			},
		}},
	})
}

func TestAccOrgMetadataDataSource_defaultOrg(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // the caller's own organization is the test organization
	k := e.K("mine")
	e.Set(e.OrgID, k, []byte("own org"))
	// No org_id anywhere: the caller's own organization.
	step := resource.TestStep{
		Config: e.Provider() + "data \"zitadelmeta_org_metadata\" \"test\" {\n  filter {\n    key = " + hclString(k) + "\n  }\n}\n",
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("values").AtMapKey(k), knownvalue.StringExact("own org")),
		},
	}
	if e.version == zitadel.APIV2 {
		// v2 has no way to name it: the error says what to set.
		step.ConfigStateChecks = nil
		step.ExpectError = errorText(`cannot tell the caller's own organization`, `Set org_id on the resource, data source or ephemeral resource, or org_id (ZITADEL_ORG_ID) in the provider configuration`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps:                    []resource.TestStep{step},
	})
}

// Keys named in sensitive_keys appear only in the sensitive outputs.
func TestAccOrgMetadataDataSource_sensitiveKeys(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	text, secret, binSecret := e.K("text"), e.K("secret"), e.K("bin-secret")
	e.Set(e.OrgID, text, []byte("hello"))
	e.Set(e.OrgID, secret, []byte("s3cr3t"))
	e.Set(e.OrgID, binSecret, binaryBytes)
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	body := strings.Replace(search(e.OrgID, e.K(""), "starts_with"), "  org_id",
		fmt.Sprintf("  sensitive_keys = [%s, %s]\n  org_id", hclString(secret), hclString(binSecret)), 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.Provider() + body,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{text: knownvalue.StringExact("hello")})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("binary_values"), knownvalue.MapExact(map[string]knownvalue.Check{text: knownvalue.StringExact(b64([]byte("hello")))})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("entries"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact(text)}),
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("sensitive_values"), knownvalue.MapExact(map[string]knownvalue.Check{secret: knownvalue.StringExact("s3cr3t")})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("sensitive_binary_values"), knownvalue.MapExact(map[string]knownvalue.Check{
						secret:    knownvalue.StringExact(b64([]byte("s3cr3t"))),
						binSecret: knownvalue.StringExact(b64(binaryBytes)),
					})),
				},
			},
			{
				// Terraform refuses to print them: they are marked sensitive.
				Config:      e.Provider() + body + "output \"leak\" {\n  value = data.zitadelmeta_org_metadata.test.sensitive_values\n}\n",
				PlanOnly:    true,
				ExpectError: errorText("Output refers to sensitive values"),
			},
			// The configuration the test's destroy runs with: OpenTofu refuses
			// the output there too.
			{Config: e.Provider() + body},
		},
	})
}
