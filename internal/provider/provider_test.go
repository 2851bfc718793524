package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fwdatasource "github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

func TestSchemasAreValid(t *testing.T) {
	ctx := context.Background()
	var pr fwprovider.SchemaResponse
	New("test")().Schema(ctx, fwprovider.SchemaRequest{}, &pr)
	if d := pr.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("provider schema: %v", d)
	}
	var rr fwresource.SchemaResponse
	NewOrgMetadataResource().Schema(ctx, fwresource.SchemaRequest{}, &rr)
	if d := rr.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("resource schema: %v", d)
	}
	var dr fwdatasource.SchemaResponse
	NewOrgMetadataDataSource().Schema(ctx, fwdatasource.SchemaRequest{}, &dr)
	if d := dr.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("data source schema: %v", d)
	}
	// The ephemeral resources carry the data sources' schemas over whole.
	for _, pair := range []struct {
		ds func() fwdatasource.DataSource
		er func() ephemeral.EphemeralResource
	}{{NewOrgMetadataDataSource, NewOrgMetadataEphemeralResource}, {NewUserMetadataDataSource, NewUserMetadataEphemeralResource}} {
		var dr fwdatasource.SchemaResponse
		pair.ds().Schema(ctx, fwdatasource.SchemaRequest{}, &dr)
		var er ephemeral.SchemaResponse
		pair.er().Schema(ctx, ephemeral.SchemaRequest{}, &er)
		if d := er.Schema.ValidateImplementation(ctx); d.HasError() {
			t.Fatalf("ephemeral resource schema: %v", d)
		}
		if got, want := er.Schema.Type().TerraformType(ctx), dr.Schema.Type().TerraformType(ctx); !got.Equal(want) {
			t.Fatalf("ephemeral resource type %s, data source type %s", got, want)
		}
		for name, a := range dr.Schema.Attributes {
			ea := er.Schema.Attributes[name]
			if ea.IsSensitive() != a.IsSensitive() || ea.IsRequired() != a.IsRequired() || ea.IsOptional() != a.IsOptional() || ea.GetMarkdownDescription() != a.GetMarkdownDescription() {
				t.Errorf("ephemeral attribute %s differs from the data source's", name)
			}
		}
	}
}

// factoriesWithEnv serves the provider with a fixed environment.
func factoriesWithEnv(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zitadelmeta": providerserver.NewProtocol6WithError(&zitadelMetaProvider{
			version: "test",
			getenv:  func(k string) string { return env[k] },
		}),
	}
}

const someResource = `resource "zitadelmeta_org_metadata" "test" {
  org_id = "1"
  values = { k = "v" }
}
`

func TestAccProvider_misconfigured(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badKey := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badKey, []byte(`{"type":"serviceaccount","keyId":"1","userId":"2","key":"not a key"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	_ = lis.Close()
	_, closedPort := splitHostPort(closed)
	cases := []struct {
		name     string
		provider string
		env      map[string]string
		want     []string
	}{
		{"nothing listens", `domain = "127.0.0.1"
  port = ` + closedPort + `
  insecure = true
  access_token = "a"`, nil, []string{"no connection to ZITADEL could be made", "could not be reached at " + closed, "Check domain, port and insecure"}},
		{"no credentials", `domain = "id.example.com"`, nil, []string{"Missing ZITADEL Credentials", "exactly one authentication method"}},
		{"several credentials", `domain = "id.example.com"
  access_token = "a"
  jwt_profile_json = "{}"`, nil, []string{"Conflicting ZITADEL Credentials", "access_token and jwt_profile_json are both set in the provider configuration"}},
		{"no domain", `access_token = "a"`, nil, []string{"Missing ZITADEL Domain", "ZITADEL_DOMAIN"}},
		{"bad port", `domain = "id.example.com"
  access_token = "a"`, map[string]string{"ZITADEL_PORT": "http"}, []string{"Invalid ZITADEL Port", `not "http"`}},
		{"bad PEM", `domain = "id.example.com"
  access_token = "a"
  ca_certificate = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"`, nil, []string{"Invalid CA Certificate", "PEM-encoded X.509"}},
		{"unreadable key file", `domain = "id.example.com"
  jwt_profile_file = "` + filepath.Join(dir, "missing.json") + `"`, nil, []string{"Unreadable ZITADEL Key File", "no such file or directory"}},
		{"malformed key file", `domain = "id.example.com"
  jwt_profile_file = "` + badKey + `"`, nil, []string{"Malformed ZITADEL Key File", `"key" is not a PEM-encoded private key`}},
		{"malformed key JSON", `domain = "id.example.com"`, map[string]string{"ZITADEL_JWT_PROFILE_JSON": "{"}, []string{"Malformed ZITADEL Key File", "not valid JSON"}},
		{"reserved header", `domain = "id.example.com"
  access_token = "a"
  headers = { Authorization = "Bearer other" }`, nil, []string{"Reserved Header", `may not set "Authorization"`}},
		{"org header", `domain = "id.example.com"
  access_token = "a"
  headers = { "X-Zitadel-Orgid" = "1" }`, nil, []string{"Reserved Header", "from org_id"}},
		{"bad header name", `domain = "id.example.com"
  access_token = "a"
  headers = { "bad name" = "x" }`, nil, []string{"Invalid Header Name", `"bad name"`}},
		{"headers from the environment are not JSON", `domain = "id.example.com"
  access_token = "a"`, map[string]string{"ZITADEL_HEADERS": "cf-access-client-secret=hunter2"}, []string{"Invalid ZITADEL_HEADERS", "a JSON object", "invalid JSON at byte"}},
		{"bad transport", `domain = "id.example.com"
  access_token = "a"`, map[string]string{"ZITADEL_TRANSPORT": "http"}, []string{"Invalid ZITADEL Transport", `The environment variable ZITADEL_TRANSPORT`, `not "http"`}},
		{"bad transport in the configuration", `domain = "id.example.com"
  access_token = "a"
  transport = "http"`, map[string]string{"ZITADEL_TRANSPORT": "rest"}, []string{"Invalid ZITADEL Transport", `transport must be "auto", "grpc" or "rest", not "http"`}},
		{"bad api version", `domain = "id.example.com"
  access_token = "a"`, map[string]string{"ZITADEL_API_VERSION": "v3"}, []string{"Invalid ZITADEL API Version", `The environment variable ZITADEL_API_VERSION`, `not "v3"`}},
		{"bad issuer", `domain = "id.example.com"
  access_token = "a"
  issuer = "auth.example.com"`, nil, []string{"Invalid ZITADEL Issuer", "https://auth.example.com"}},
		{"unknown at configure time", `domain = "id.example.com"
  access_token = terraform_data.token.output`, nil, []string{"Unknown ZITADEL Provider Setting", "ZITADEL_ACCESS_TOKEN environment variable"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factoriesWithEnv(c.env),
				Steps: []resource.TestStep{{
					Config: "resource \"terraform_data\" \"token\" {\n  input = \"x\"\n}\n" +
						"provider \"zitadelmeta\" {\n  " + c.provider + "\n}\n" + someResource,
					PlanOnly:    true,
					ExpectError: errorText(c.want...),
				}},
			})
		})
	}
}

// Header values are secrets: a malformed ZITADEL_HEADERS is described
// without repeating any of it.
func TestHeaderErrorsHideValues(t *testing.T) {
	for _, in := range []string{`cf-access-client-secret=hunter2`, `{"a":"hunter2"`, `{"a":["hunter2"]}`, `["hunter2"]`} {
		var m map[string]string
		err := json.Unmarshal([]byte(in), &m)
		if err == nil {
			t.Fatalf("%s parsed", in)
		}
		if got := errWithoutValues(err); strings.Contains(got, "hunter2") || got == "" {
			t.Errorf("%s: %q", in, got)
		}
	}
}

// Extra headers reach ZITADEL with every call, from the configuration or
// from ZITADEL_HEADERS.
func TestAccProvider_headers(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // its keys are not prefixed ones
	body := orgMetadata("test", "org_id = "+hclString(e.OrgID), `values = { gated = "yes" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.Provider(`headers = { "CF-Access-Client-Id" = "gate" }`) + body,
			ConfigStateChecks: []statecheck.StateCheck{
				e.serverHolds(e.OrgID, map[string]string{"gated": "yes"}),
				// Only the fake tells which headers it received.
				e.onFake(func(srv *fakezitadel.Server) error {
					if all, gated := srv.RequestsWithHeader("user-agent"), srv.RequestsWithHeader("cf-access-client-id"); gated == 0 || gated != all {
						return fmt.Errorf("%d of %d requests carried the header", gated, all)
					}
					return nil
				}),
			},
		}},
	})
	env := e.connectionEnv()
	env["ZITADEL_HEADERS"] = `{"x-gate":"from-env"}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"zitadelmeta": providerserver.NewProtocol6WithError(&zitadelMetaProvider{version: "test", getenv: func(k string) string { return env[k] }, tune: e.tune}),
		},
		Steps: []resource.TestStep{{
			Config:            e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), `values = { env_gated = "yes" }`),
			ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{"env_gated": "yes"})},
		}},
	})
	if e.srv != nil && e.srv.RequestsWithHeader("x-gate") == 0 {
		t.Fatal("ZITADEL_HEADERS never reached the server")
	}
}

// connectionEnv is the environment that reaches the test's ZITADEL:
// ZITADEL_DOMAIN, ZITADEL_PORT, ZITADEL_INSECURE and, for a real one,
// ZITADEL_CA_CERTIFICATE as the caller set it.
func (e *testEnv) connectionEnv() map[string]string {
	if e.srv != nil {
		host, port := splitHostPort(e.srv.Addr())
		return map[string]string{"ZITADEL_DOMAIN": host, "ZITADEL_PORT": port, "ZITADEL_INSECURE": "true"}
	}
	env := map[string]string{"ZITADEL_PORT": "443"}
	for _, name := range []string{"ZITADEL_DOMAIN", "ZITADEL_INSECURE", "ZITADEL_CA_CERTIFICATE"} {
		env[name] = os.Getenv(name)
	}
	if env["ZITADEL_INSECURE"] == "true" {
		env["ZITADEL_PORT"] = "80"
	}
	if p := os.Getenv("ZITADEL_PORT"); p != "" {
		env["ZITADEL_PORT"] = p
	}
	return env
}

// scheme is the URL scheme of the test's ZITADEL.
func (e *testEnv) scheme() string {
	if e.connectionEnv()["ZITADEL_INSECURE"] == "true" {
		return "http://"
	}
	return "https://"
}

func TestAccProvider_environment(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // its key is not a prefixed one
	env := e.connectionEnv()
	env["ZITADEL_DOMAIN"] = e.scheme() + env["ZITADEL_DOMAIN"] // a scheme is tolerated
	env["ZITADEL_ACCESS_TOKEN"] = e.OwnerToken
	env["ZITADEL_ORG_ID"] = e.SecondOrgID
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factoriesWithEnv(env),
		Steps: []resource.TestStep{{
			Config:            "provider \"zitadelmeta\" {}\n" + orgMetadata("test", `values = { from_env = "yes" }`),
			ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.SecondOrgID, map[string]string{"from_env": "yes"})},
		}},
	})
}

// A setting that is "" in the configuration (a variable defaulting to "")
// falls back to the environment; credentials are chosen per layer.
func TestAccProvider_precedence(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // its key is not a prefixed one
	env := e.connectionEnv()
	port := env["ZITADEL_PORT"]
	keyFile := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(keyFile, []byte(`{"type":"serviceaccount","keyId":"1","userId":"2","key":"not used"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env["ZITADEL_ACCESS_TOKEN"] = e.OwnerToken
	env["ZITADEL_ORG_ID"] = e.SecondOrgID
	env["ZITADEL_JWT_PROFILE_FILE"] = keyFile
	blank := "provider \"zitadelmeta\" {\n  domain = \"\"\n  org_id = \" \"\n  access_token = \"\"\n  jwt_profile_file = \"\"\n}\n"
	withToken := "provider \"zitadelmeta\" {\n  org_id = \"\"\n  access_token = " + hclString(e.OwnerToken) + "\n}\n"
	choicesBlank := strings.Replace(withToken, "org_id", "api_version = \"\"\n  transport = \" \"\n  org_id", 1) +
		orgMetadata("test", "org_id = "+hclString(" "+e.SecondOrgID+" "), `values = { k = "v" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factoriesWithEnv(env),
		Steps: []resource.TestStep{
			{
				// The environment has two credentials and the configuration none.
				Config:      blank + orgMetadata("test", `values = { k = "v" }`),
				ExpectError: errorText(`access_token and jwt_profile_file are both set in the environment`),
			},
			{
				// A token in the configuration wins over both in the environment;
				// org_id "" on the provider falls back to ZITADEL_ORG_ID, and on
				// the resource means "not set".
				Config: withToken + orgMetadata("test", `org_id = ""`, `values = { k = "v" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact(e.SecondOrgID)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("org_id"), knownvalue.StringExact("")),
					e.serverHolds(e.SecondOrgID, map[string]string{"k": "v"}),
				},
			},
			{
				// A port in the configuration's domain beats ZITADEL_PORT.
				PreConfig: func() { env["ZITADEL_PORT"] = "1" },
				Config:    strings.Replace(withToken, "org_id", "domain = "+hclString(env["ZITADEL_DOMAIN"]+":"+port)+"\n  org_id", 1) + orgMetadata("test", `org_id = ""`, `values = { k = "v" }`),
			},
			{
				// Ids are trimmed: the same organization, so no replacement and
				// no write.
				PreConfig: func() { env["ZITADEL_PORT"] = port; e.resetCalls() },
				Config:    withToken + orgMetadata("test", "org_id = "+hclString(" "+e.SecondOrgID+" "), `values = { k = "v" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact(e.SecondOrgID)),
					e.serverHolds(e.SecondOrgID, map[string]string{"k": "v"}),
					e.writes(0, 0),
				},
			},
			{
				// api_version and transport that are "" or blank count as
				// unset, too: the environment's values are read (this one is
				// refused, naming the variable)...
				PreConfig:   func() { env["ZITADEL_TRANSPORT"] = "bogus" },
				Config:      choicesBlank,
				PlanOnly:    true,
				ExpectError: errorText(`Invalid ZITADEL Transport`, `The environment variable ZITADEL_TRANSPORT`, `not "bogus"`),
			},
			{
				// ...in any case, there as in the configuration: nothing to do.
				PreConfig: func() { env["ZITADEL_TRANSPORT"], env["ZITADEL_API_VERSION"] = "", "V1" },
				Config:    strings.Replace(choicesBlank, `transport = " "`, `transport = "GRPC"`, 1),
				PlanOnly:  true,
			},
		},
	})
}

// The JWT profile grant: on the fake with a key of its own; against a real
// ZITADEL with the key file TF_ACC_ZITADEL_JWT_PROFILE_FILE names (a
// separate name, so that it never conflicts with the token), whose service
// account is made ORG_OWNER of the scratch organization, or already is one
// of ZITADEL_ORG_ID.
func TestAccProvider_jwtProfile(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	var key []byte
	var connection string
	factories := factoriesWithEnv(nil)
	if e.srv != nil {
		owner := e.srv.AddUser(e.OrgID)
		e.srv.Grant(owner, e.OrgID, "ORG_OWNER")
		var err error
		if key, err = e.srv.AddServiceAccountKey(owner); err != nil {
			t.Fatal(err)
		}
		host, port := splitHostPort(e.srv.Addr())
		connection = "domain = \"" + host + "\"\n  port = " + port + "\n  insecure = true\n  "
	} else {
		file := os.Getenv("TF_ACC_ZITADEL_JWT_PROFILE_FILE")
		if file == "" {
			t.Skip("needs TF_ACC_ZITADEL_JWT_PROFILE_FILE, a service account's key file (CONTRIBUTING.md)")
		}
		var err error
		if key, err = os.ReadFile(file); err != nil {
			t.Fatal(err)
		}
		if e.scratch {
			e.grantKey(key, "ORG_OWNER")
		}
		factories = e.factories() // the connection from the environment
	}
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
	provider := func(auth string) string {
		return "provider \"zitadelmeta\" {\n  " + connection + auth + "\n}\n"
	}
	byKey := e.K("by_key")
	body := func(v string) string {
		return orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{byKey: v}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:            provider(`jwt_profile_file = "`+path+`"`) + body("yes"),
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{byKey: "yes"})},
			},
			{
				Config:            provider("jwt_profile_json = "+hclString(string(key))) + body("json"),
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{byKey: "json"})},
			},
		},
	})
	if e.srv != nil && e.srv.Calls("oauth/v2/token") == 0 {
		t.Fatal("the JWT profile grant was never used")
	}
}

func TestAccProvider_tlsWithPrivateCA(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.withFront(fakezitadel.Options{TLS: true}) // TLS with a private CA in front of the server
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// TLS is the default; without the private CA the certificate is
				// refused, at once and with the fix named.
				Config:      strings.Replace(e.Provider(), "ca_certificate", "# ca_certificate", 1) + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{e.K("over_tls"): "yes"})),
				ExpectError: errorText("TLS handshake failed", "certificate signed by unknown authority", "If the server uses a private CA, give its certificate in ca_certificate"),
			},
			{
				Config:            e.Provider() + orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{e.K("over_tls"): "yes"})),
				ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{e.K("over_tls"): "yes"})},
			},
		},
	})
}

func TestKeepForTests(t *testing.T) {
	for name, want := range map[string][2]bool{ // against the fake, against a real ZITADEL
		"TF_ACC":                   {true, true},
		"TF_ACC_TERRAFORM_PATH":    {true, true},
		"TF_LOG":                   {true, true},
		"TF_CLI_CONFIG_FILE":       {true, true},
		"TF_CLI_ARGS":              {false, false},
		"TF_CLI_ARGS_apply":        {false, false},
		"TF_WORKSPACE":             {false, false},
		"TF_VAR_org_id":            {false, false},
		"ZITADEL_JWT_PROFILE_FILE": {false, true},
		"HOME":                     {true, true},
	} {
		if got := [2]bool{keepForTests(name, false), keepForTests(name, true)}; got != want {
			t.Errorf("keepForTests(%s) = %v, want %v", name, got, want)
		}
	}
}

// No configuration error points at an attribute that may hold a secret:
// Terraform prints the source line an attribute error points at, and with
// access_token or jwt_profile_json written into the configuration that
// line holds the token or the key.
func TestConfigureErrorsNeverPointAtSecrets(t *testing.T) {
	ctx := context.Background()
	ps, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := ps.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pt := schemas.Provider.ValueType().(tftypes.Object)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	for name, attrs := range map[string]map[string]tftypes.Value{
		"token and key":      {"access_token": str("s3cret"), "jwt_profile_json": str(`{"type":"serviceaccount"}`)},
		"token and key file": {"access_token": str("s3cret"), "jwt_profile_file": str("/nonexistent/key.json")},
		"malformed key":      {"jwt_profile_json": str("{")},
		"reserved header": {"access_token": str("s3cret"), "headers": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"Authorization": str("Bearer s3cret")})},
	} {
		attrs["domain"] = str("id.example.com")
		resp, err := ps.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamicObject(t, pt, attrs)})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Diagnostics) == 0 {
			t.Fatalf("%s: no error", name)
		}
		for _, d := range resp.Diagnostics {
			if d.Attribute == nil || len(d.Attribute.Steps()) == 0 {
				continue
			}
			if step, ok := d.Attribute.Steps()[0].(tftypes.AttributeName); ok && (step == "access_token" || step == "jwt_profile_json" || step == "headers") {
				t.Errorf("%s: %q points at %s", name, d.Summary, step)
			}
		}
	}
}

// Terraform applies these twenty resources ten at a time (its default
// -parallelism=10); every write must travel over the provider's one gRPC
// connection, or over REST's pool of reused connections (HTTP/1.1 carries
// one call at a time).
func TestAccFaults_twentyOrganizationsShareOneConnection(t *testing.T) {
	parallelOnFake(t)
	e := newTestEnv(t)
	e.ownsOrganizations() // twenty organizations of its own
	var cfg strings.Builder
	var orgs []string
	for i := 0; i < 20; i++ {
		org := e.addOrg(fmt.Sprintf("tenant-%d", i))
		orgs = append(orgs, org)
		cfg.WriteString(orgMetadata(fmt.Sprintf("t%d", i), "org_id = "+hclString(org), fmt.Sprintf(`values = { tenant = "%d" }`, i)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.resetCalls,
			Config:    e.Provider() + cfg.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				serverCheck(func() error {
					for i, org := range orgs {
						if got := string(e.Metadata(org)["tenant"]); got != fmt.Sprint(i) {
							return fmt.Errorf("organization %d holds %q", i, got)
						}
					}
					return nil
				}),
				// Only the fake counts the connections it accepted.
				e.onFake(func(srv *fakezitadel.Server) error {
					most := 1
					if e.transport == zitadel.TransportREST {
						// About ten (one per concurrent call) and never one
						// per call: a finished call hands its connection back
						// to the pool just after its caller moves on, so a
						// burst can dial one or two more than the parallelism
						// (seen under OpenTofu).
						most = 15
					}
					if n, c := srv.Calls(e.m.Set), srv.Connections(e.m.Set); n != 20 || c > most {
						return fmt.Errorf("%d %s calls over %d connections, want 20 over at most %d", n, e.m.Set, c, most)
					}
					return nil
				}),
			},
		}},
	})
}
