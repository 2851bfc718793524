package provider

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

const userDS = "data.zitadelmeta_user_metadata.test"

// userSearch renders the user data source with extra lines.
func userSearch(userID string, lines ...string) string {
	return fmt.Sprintf("data \"zitadelmeta_user_metadata\" \"test\" {\n  user_id = %s\n  %s\n}\n", hclString(userID), strings.Join(lines, "\n  "))
}

func TestAccUserMetadataDataSource_values(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	text, bin, other := e.K("text"), e.K("bin"), e.K("other")
	s.set(s.id, text, []byte("hello"))
	s.set(s.id, bin, binaryBytes)
	s.set(s.id, other, []byte("filtered out"))
	b64 := base64.StdEncoding.EncodeToString(binaryBytes)
	var sequence, owner knownvalue.Check = knownvalue.NotNull(), knownvalue.StringExact(e.OrgID)
	if e.version == zitadel.APIV2 {
		sequence, owner = knownvalue.Null(), knownvalue.Null()
	}
	filters := `filter {
    key    = ` + hclString(e.K("")) + `
    method = "starts_with"
  }
  filter {
    key    = "other"
    method = "contains"
  }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// org_id omitted: looked up and exported.
				Config: e.Provider() + userSearch(s.id, `filter {
    key    = `+hclString(e.K(""))+`
    method = "starts_with"
  }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("id"), knownvalue.StringExact(s.id)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("org_id"), knownvalue.StringExact(e.OrgID)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{
						text: knownvalue.StringExact("hello"), other: knownvalue.StringExact("filtered out"),
					})),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("binary_values").AtMapKey(bin), knownvalue.StringExact(b64)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("entries").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"key":            knownvalue.StringExact(bin),
						"value":          knownvalue.Null(),
						"value_base64":   knownvalue.StringExact(b64),
						"sequence":       sequence,
						"creation_date":  knownvalue.StringRegexp(rfc3339Pattern),
						"change_date":    knownvalue.StringRegexp(rfc3339Pattern),
						"resource_owner": owner,
					})),
				},
			},
			{
				// Filters are ANDed; the right org_id is accepted.
				Config: e.Provider() + userSearch(s.id, "org_id = "+hclString(e.OrgID), filters, `sensitive_keys = [`+hclString(other)+`]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("values"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("sensitive_values"), knownvalue.MapExact(map[string]knownvalue.Check{other: knownvalue.StringExact("filtered out")})),
				},
			},
			{
				Config:      e.Provider() + userSearch(s.id, "org_id = "+hclString(e.SecondOrgID)),
				ExpectError: errorText(`User ` + s.id + ` belongs to organization ` + e.OrgID + `, but org_id says ` + e.SecondOrgID),
			},
		},
	})
}

func TestAccUserMetadataDataSource_manyPagesAndAccess(t *testing.T) {
	parallelOnFake(t)
	s := newTestEnv(t).subject("user")
	e := s.testEnv
	e.ownsOrganizations() // it reads every key of the user
	many := map[string][]byte{}
	for i := 0; i < 2600; i++ {
		many[e.K(fmt.Sprintf("k%05d", i))] = []byte("v")
	}
	s.setMany(s.id, many)
	count := "output \"count\" {\n  value = length(data.zitadelmeta_user_metadata.test.entries)\n}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.resetCalls,
				Config:    e.ProviderWithToken(e.ViewerToken) + userSearch(s.id) + count,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("count", knownvalue.Int64Exact(2600)),
					statecheck.ExpectKnownValue(userDS, tfjsonpath.New("entries").AtSliceIndex(2599).AtMapKey("key"), knownvalue.StringExact(e.K("k02599"))),
					s.pagesPerSearch(3),
				},
			},
			{
				// v2 answers the outsider's search with an empty list; the
				// lookup tells why.
				Config:      e.ProviderWithToken(e.OutsiderToken) + userSearch(s.id),
				ExpectError: errorText(`Unable to Search User Metadata`, `has no membership in the user's organization`, `ORG_OWNER_VIEWER or ORG_USER_MANAGER`),
			},
			{
				PreConfig:   func() { e.removeUser(s.id) },
				Config:      e.Provider() + userSearch(s.id),
				ExpectError: errorText(`While looking up user `+s.id+`, ZITADEL answered NotFound`, `The user does not exist or was removed`),
			},
		},
	})
}
