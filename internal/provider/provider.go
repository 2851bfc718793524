// Package provider implements the zitadelmeta Terraform provider.
package provider

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

var _ provider.Provider = (*zitadelMetaProvider)(nil)

// zitadelMetaProvider configures one ZITADEL client shared by every
// resource and data source.
type zitadelMetaProvider struct {
	version string
	getenv  func(string) string
	// tune adjusts the client configuration; tests use it to shrink chunk
	// sizes and retry delays.
	tune func(*zitadel.Config)
	// afterLock runs when a create or update has locked its owner, before it
	// reads it; tests use it to write between the plan and the apply.
	afterLock func(context.Context, zitadel.Owner)
}

type providerModel struct {
	Domain         types.String `tfsdk:"domain"`
	Port           types.Int64  `tfsdk:"port"`
	Insecure       types.Bool   `tfsdk:"insecure"`
	CACertificate  types.String `tfsdk:"ca_certificate"`
	AccessToken    types.String `tfsdk:"access_token"`
	JWTProfileFile types.String `tfsdk:"jwt_profile_file"`
	JWTProfileJSON types.String `tfsdk:"jwt_profile_json"`
	OrgID          types.String `tfsdk:"org_id"`
	RetryTimeout   types.String `tfsdk:"retry_timeout"`
	APIVersion     types.String `tfsdk:"api_version"`
	Transport      types.String `tfsdk:"transport"`
	Headers        types.Map    `tfsdk:"headers"`
	Issuer         types.String `tfsdk:"issuer"`
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	api zitadel.MetadataAPI
	// defaultOrgID is the provider's org_id; "" means the caller's own.
	defaultOrgID string

	callerMu sync.Mutex
	callerID string // the caller's own organization, once known

	// interruptGrace overrides how long a read-back may go on after the
	// user interrupted (tests shorten it); 0 means the default.
	interruptGrace time.Duration
	// afterLock: see zitadelMetaProvider.
	afterLock func(context.Context, zitadel.Owner)

	// owners is what this walk knows of which resource instance claims which
	// keys (ownership.go).
	owners runOwnership
	// alive holds the owners (zitadel.Owner) this walk has found in place
	// (owner.go).
	alive sync.Map
}

// New returns the provider factory for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &zitadelMetaProvider{version: version, getenv: os.Getenv}
	}
}

func (p *zitadelMetaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "zitadelmeta"
	resp.Version = p.version
}

func (p *zitadelMetaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages ZITADEL organization and user metadata in bulk. Every attribute can also come from the environment variable named in its description; a value in the configuration wins, and an empty or blank value counts as unset. Exactly one of `access_token`, `jwt_profile_file` and `jwt_profile_json` must be given: any of them in the configuration wins, and the environment's credentials are then ignored.",
		Attributes: map[string]schema.Attribute{
			"domain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Host name of the ZITADEL instance, e.g. `my-instance.zitadel.cloud`. A scheme (`https://`) and a trailing `/` are tolerated and stripped; `host:port` sets the port too, unless `port` is set as well (then `port` wins; a port in the configuration's domain beats `ZITADEL_PORT`). Environment: `ZITADEL_DOMAIN`.",
			},
			"port": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Port of the ZITADEL API. Defaults to `443`, or `80` when `insecure` is true. Environment: `ZITADEL_PORT`.",
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Use plaintext (gRPC and REST) instead of TLS. Only for local development. Defaults to `false`. Environment: `ZITADEL_INSECURE`.",
			},
			"ca_certificate": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM of a private CA that signed the server certificate; the system roots are used otherwise. Environment: `ZITADEL_CA_CERTIFICATE`.",
			},
			"access_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Personal access token of a user or service account. Environment: `ZITADEL_ACCESS_TOKEN`.",
			},
			"jwt_profile_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path to a service-account key file (JSON) used for the JWT profile grant. Environment: `ZITADEL_JWT_PROFILE_FILE`.",
			},
			"jwt_profile_json": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Content of a service-account key file (JSON) used for the JWT profile grant. Environment: `ZITADEL_JWT_PROFILE_JSON`.",
			},
			"org_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Default organization for `zitadelmeta_org_metadata` resources and data sources that name none (a user's metadata always goes to the user's own organization). When unset, the organization of the authenticated user or service account is used, as the management API v1 reports it; the organization service v2 (`api_version`) cannot tell it, so there an id is needed (an existing resource keeps the organization its state records). Environment: `ZITADEL_ORG_ID`.",
			},
			"api_version": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{choiceValidator{"api_version", "ZITADEL_API_VERSION", apiVersionSummary, zitadel.APIVersions}},
				MarkdownDescription: "Which ZITADEL API manages the metadata. `v1`: the management API v1 (`BulkSetOrgMetadata`, `ListOrgMetadata`, and the `...UserMetadata` calls for users), served by every ZITADEL v2 to v4 but deprecated upstream. `v2`: the organization service v2 (`SetOrganizationMetadata`, `ListOrganizationMetadata`) and the user service v2 (`SetUserMetadata`, `ListUserMetadata`), ZITADEL " + zitadel.MinV2Version + " or later; every call names its organization, so for `zitadelmeta_org_metadata` `org_id` must be set here or on each resource and data source. `auto` (the default) uses v1 while the server serves it and v2 once it does not, decided on the first call of each provider process. The state is the same whichever API wrote it: changing this setting plans nothing (a resource whose `org_id` is unset stays in the organization its state records). Environment: `ZITADEL_API_VERSION`.",
			},
			"transport": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{choiceValidator{"transport", "ZITADEL_TRANSPORT", transportSummary, zitadel.Transports}},
				MarkdownDescription: "How calls travel. `grpc`: gRPC over HTTP/2. `rest`: ZITADEL's REST API, JSON over HTTP/1.1 (HTTP/2 when a TLS server offers it), for servers behind proxies that break gRPC. `auto` (the default) uses gRPC, and REST from the first call on which gRPC cannot pass (an HTTP status or page instead of a gRPC answer, a refused HTTP/2 handshake, no ALPN agreement): the switch is logged at WARN and lasts for the provider process (Terraform starts one per command, so each command tries gRPC once). A gateway's 502 or 503 page in place of any gRPC answer is asked again over REST at once. An answer from ZITADEL itself, errors included, never causes a switch. Environment: `ZITADEL_TRANSPORT`.",
			},
			"headers": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Extra HTTP headers sent with every request, on both transports and to the token endpoint of the JWT profile grant: for zero-trust gateways in front of ZITADEL (for example a service token's id and secret). Never logged. `authorization` and `x-zitadel-orgid` are set by the provider and cannot be given here, nor the headers HTTP and gRPC set themselves (`accept`, `content-type`, `host`, `user-agent`, `te`, `grpc-*`, hop-by-hop headers); values are printable ASCII. Environment: `ZITADEL_HEADERS`, a JSON object such as `{\"cf-access-client-id\":\"...\"}`; a non-empty `headers` in the configuration replaces it entirely (they are not merged).",
			},
			"issuer": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The OIDC issuer URL of the instance, e.g. `https://auth.example.com`: the audience of the JWT profile assertion and the base of its token endpoint (`<issuer>/oauth/v2/token`). By default both come from the discovery document at `domain` (`/.well-known/openid-configuration`), and the token is requested at the `token_endpoint` it names, which ZITADEL builds from its own external address. Set this when that discovery is not reachable at `domain` (a tunnel or internal name that ZITADEL does not know as its own): the token request then goes to `<issuer>/oauth/v2/token` directly, without discovery. Environment: `ZITADEL_ISSUER`.",
			},
			"retry_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How long one call is retried when ZITADEL is unavailable, rate-limits (`ResourceExhausted`) or reports a concurrent-write conflict, as a duration such as `90s` or `5m`. Defaults to `1m`; at most 30 attempts with exponential backoff and jitter. Other errors are never retried. A server this provider process has not reached yet (connection refused, unknown host, unreachable network) is retried for at most 10 seconds, so a wrong `domain` or `port` fails fast. Environment: `ZITADEL_RETRY_TIMEOUT`.",
			},
		},
	}
}

// setting is one provider attribute resolved from configuration, then the
// environment.
type setting struct {
	attr, env string
	value     types.String
}

func (p *zitadelMetaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	port := types.StringNull()
	if !cfg.Port.IsNull() && !cfg.Port.IsUnknown() {
		port = types.StringValue(strconv.FormatInt(cfg.Port.ValueInt64(), 10))
	} else if cfg.Port.IsUnknown() {
		port = types.StringUnknown()
	}
	insecureVal := types.StringNull()
	if !cfg.Insecure.IsNull() && !cfg.Insecure.IsUnknown() {
		insecureVal = types.StringValue(strconv.FormatBool(cfg.Insecure.ValueBool()))
	} else if cfg.Insecure.IsUnknown() {
		insecureVal = types.StringUnknown()
	}
	settings := []setting{
		{"domain", "ZITADEL_DOMAIN", cfg.Domain},
		{"port", "ZITADEL_PORT", port},
		{"insecure", "ZITADEL_INSECURE", insecureVal},
		{"ca_certificate", "ZITADEL_CA_CERTIFICATE", cfg.CACertificate},
		{"org_id", "ZITADEL_ORG_ID", cfg.OrgID},
		{"retry_timeout", "ZITADEL_RETRY_TIMEOUT", cfg.RetryTimeout},
		{"api_version", "ZITADEL_API_VERSION", cfg.APIVersion},
		{"transport", "ZITADEL_TRANSPORT", cfg.Transport},
		{"issuer", "ZITADEL_ISSUER", cfg.Issuer},
	}
	credentials := []setting{
		{"access_token", "ZITADEL_ACCESS_TOKEN", cfg.AccessToken},
		{"jwt_profile_file", "ZITADEL_JWT_PROFILE_FILE", cfg.JWTProfileFile},
		{"jwt_profile_json", "ZITADEL_JWT_PROFILE_JSON", cfg.JWTProfileJSON},
	}
	headersVal := types.StringNull()
	if cfg.Headers.IsUnknown() {
		headersVal = types.StringUnknown()
	}
	for _, s := range append(append(settings, credentials...), setting{"headers", "ZITADEL_HEADERS", headersVal}) {
		if s.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(s.attr), "Unknown ZITADEL Provider Setting",
				fmt.Sprintf("The provider cannot be configured because %q is not known until apply. Set it to a value known at plan time, or leave it out of the configuration and set the %s environment variable instead.", s.attr, s.env))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// A setting that is empty or blank in the configuration counts as unset
	// (a variable defaulting to ""): the environment, then the default.
	v := map[string]string{}
	configured := map[string]bool{}
	for _, s := range settings {
		v[s.attr] = strings.TrimSpace(s.value.ValueString())
		configured[s.attr] = v[s.attr] != ""
		if !configured[s.attr] {
			v[s.attr] = strings.TrimSpace(p.getenv(s.env))
		}
	}
	// A port in the configuration's domain ("host:port") beats ZITADEL_PORT;
	// port itself beats both.
	if _, domainPort := parseDomain(v["domain"]); domainPort != "" && configured["domain"] && !configured["port"] {
		v["port"] = ""
	}
	// Credentials are chosen per layer: any credential in the configuration
	// wins, and the environment's are then ignored.
	fromConfig, fromEnv := map[string]string{}, map[string]string{}
	for _, s := range credentials {
		if c := strings.TrimSpace(s.value.ValueString()); c != "" {
			fromConfig[s.attr] = c
		}
		if c := strings.TrimSpace(p.getenv(s.env)); c != "" {
			fromEnv[s.env] = c
		}
	}
	chosen, layer := fromConfig, "the provider configuration"
	if len(fromConfig) == 0 {
		chosen, layer = map[string]string{}, "the environment"
		for _, s := range credentials {
			if c, ok := fromEnv[s.env]; ok {
				chosen[s.attr] = c
			}
		}
	} else if len(fromEnv) > 0 {
		tflog.Debug(ctx, "credentials in the configuration win; ignoring those in the environment", map[string]any{"ignored": sortedKeys(fromEnv)})
	}
	for a, c := range chosen {
		v[a] = c
	}

	headers := map[string]string{}
	if !cfg.Headers.IsNull() && len(cfg.Headers.Elements()) > 0 {
		resp.Diagnostics.Append(cfg.Headers.ElementsAs(ctx, &headers, false)...)
	} else if env := strings.TrimSpace(p.getenv("ZITADEL_HEADERS")); env != "" {
		if err := json.Unmarshal([]byte(env), &headers); err != nil {
			resp.Diagnostics.AddError("Invalid ZITADEL_HEADERS",
				"ZITADEL_HEADERS must be a JSON object of header names to string values, such as {\"cf-access-client-id\":\"abc\"}; it is not: "+errWithoutValues(err)+".")
		}
	}
	zc, ok := p.clientConfig(v, configured, layer, resp)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	zc.Headers = checkHeaders(headers, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if p.tune != nil {
		p.tune(&zc)
	}
	client, err := zitadel.New(zc)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create ZITADEL Client", "The provider could not set up its ZITADEL client: "+err.Error())
		return
	}
	tflog.Debug(ctx, "configured ZITADEL client", map[string]any{"domain": zc.Domain, "port": zc.Port, "insecure": zc.Insecure, "org_id": v["org_id"], "api_version": zc.APIVersion, "transport": zc.Transport, "headers": sortedKeys(zc.Headers)})
	data := &providerData{api: client, defaultOrgID: v["org_id"], afterLock: p.afterLock}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// clientConfig validates the resolved settings, reporting every problem at
// once, and builds the client configuration.
func (p *zitadelMetaProvider) clientConfig(v map[string]string, configured map[string]bool, credentialLayer string, resp *provider.ConfigureResponse) (zitadel.Config, bool) {
	zc := zitadel.Config{UserAgent: "terraform-provider-zitadelmeta/" + p.version, Retry: zitadel.DefaultRetryPolicy()}
	diags := &resp.Diagnostics

	domain, domainPort := parseDomain(v["domain"])
	if domain == "" {
		diags.AddAttributeError(path.Root("domain"), "Missing ZITADEL Domain",
			"Set domain in the provider configuration or the ZITADEL_DOMAIN environment variable to the host name of your ZITADEL instance, e.g. my-instance.zitadel.cloud.")
	}
	zc.Domain = domain

	if s := v["insecure"]; s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			diags.AddAttributeError(path.Root("insecure"), "Invalid ZITADEL Insecure Setting",
				fmt.Sprintf("ZITADEL_INSECURE must be true or false, not %q.", s))
		}
		zc.Insecure = b
	}

	zc.Port = 443
	if zc.Insecure {
		zc.Port = 80
	}
	portText := v["port"]
	if portText == "" {
		portText = domainPort
	}
	if portText != "" {
		n, err := strconv.Atoi(portText)
		if err != nil || n < 1 || n > 65535 {
			diags.AddAttributeError(path.Root("port"), "Invalid ZITADEL Port",
				fmt.Sprintf("The port must be a number from 1 to 65535, not %q (from the configuration or ZITADEL_PORT).", portText))
		}
		zc.Port = n
	}

	if ca := v["ca_certificate"]; ca != "" {
		if !validPEMCertificate(ca) {
			diags.AddAttributeError(path.Root("ca_certificate"), "Invalid CA Certificate",
				"ca_certificate (or ZITADEL_CA_CERTIFICATE) must hold at least one PEM-encoded X.509 certificate (-----BEGIN CERTIFICATE-----). Use file(\"ca.pem\") to read it from a file.")
		}
		zc.CACertPEM = []byte(ca)
	}

	if s := v["retry_timeout"]; s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			diags.AddAttributeError(path.Root("retry_timeout"), "Invalid Retry Timeout",
				fmt.Sprintf("retry_timeout (or ZITADEL_RETRY_TIMEOUT) must be a positive duration such as \"90s\" or \"5m\", not %q.", s))
		}
		zc.Retry.MaxElapsed = d
	}

	zc.APIVersion = choiceValidator{"api_version", "ZITADEL_API_VERSION", apiVersionSummary, zitadel.APIVersions}.resolve(v, configured, diags)
	zc.Transport = choiceValidator{"transport", "ZITADEL_TRANSPORT", transportSummary, zitadel.Transports}.resolve(v, configured, diags)

	if s := v["issuer"]; s != "" {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			diags.AddAttributeError(path.Root("issuer"), "Invalid ZITADEL Issuer",
				fmt.Sprintf("issuer (or ZITADEL_ISSUER) must be the instance's issuer URL, such as \"https://auth.example.com\", not %q.", s))
		}
		zc.Issuer = strings.TrimSuffix(s, "/")
	}

	var methods []string
	for _, a := range []string{"access_token", "jwt_profile_file", "jwt_profile_json"} {
		if v[a] != "" {
			methods = append(methods, a)
		}
	}
	switch len(methods) {
	case 0:
		diags.AddError("Missing ZITADEL Credentials",
			"Give exactly one authentication method: access_token (ZITADEL_ACCESS_TOKEN) with a personal access token, or jwt_profile_file (ZITADEL_JWT_PROFILE_FILE) / jwt_profile_json (ZITADEL_JWT_PROFILE_JSON) with a service-account key file.")
	case 1:
		p.credentials(methods[0], v[methods[0]], &zc, resp)
	default:
		detail := fmt.Sprintf("Exactly one authentication method may be set, but %s are %s set in %s. Remove all but one. (Credentials in the provider configuration win over those in the environment; within one of the two, only one may be given.)", strings.Join(methods, " and "), bothOrAll(len(methods)), credentialLayer)
		// Terraform prints the source line an attribute error points at:
		// never one that may hold a token or a key.
		if slices.Contains(methods, "jwt_profile_file") {
			diags.AddAttributeError(path.Root("jwt_profile_file"), "Conflicting ZITADEL Credentials", detail)
		} else {
			diags.AddError("Conflicting ZITADEL Credentials", detail)
		}
	}
	return zc, !diags.HasError()
}

func (p *zitadelMetaProvider) credentials(method, value string, zc *zitadel.Config, resp *provider.ConfigureResponse) {
	if method == "access_token" {
		zc.AccessToken = value
		return
	}
	content := []byte(value)
	if method == "jwt_profile_file" {
		var err error
		content, err = os.ReadFile(value)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root(method), "Unreadable ZITADEL Key File",
				fmt.Sprintf("The service-account key file %q could not be read: %s. Check the path, or pass the content with jwt_profile_json instead.", value, errWithoutPath(err)))
			return
		}
	}
	kf, err := zitadel.ParseKeyFile(content)
	if err != nil {
		summary, detail := "Malformed ZITADEL Key File", fmt.Sprintf("The service-account key given in %s is not usable: %s.", method, err)
		if method == "jwt_profile_file" {
			resp.Diagnostics.AddAttributeError(path.Root(method), summary, detail)
		} else {
			resp.Diagnostics.AddError(summary, detail) // never point at the key itself
		}
		return
	}
	zc.KeyFile = kf
}

// bothOrAll is the word for n (at least two) things together.
func bothOrAll(n int) string {
	if n == 2 {
		return "both"
	}
	return "all"
}

const (
	apiVersionSummary = "Invalid ZITADEL API Version"
	transportSummary  = "Invalid ZITADEL Transport"
)

// choiceValidator is a setting with a fixed set of values, the first of
// which ("auto") is the default. Case does not matter, and a blank value
// counts as unset, in the configuration as in the environment.
type choiceValidator struct {
	attr, env, summary string
	allowed            []string
}

func (c choiceValidator) Description(context.Context) string {
	return fmt.Sprintf("one of %s; blank or unset for %q", c.quoted(), c.allowed[0])
}

func (c choiceValidator) MarkdownDescription(ctx context.Context) string { return c.Description(ctx) }

// ValidateString checks the configuration's value at plan time.
func (c choiceValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := c.normal(req.ConfigValue.ValueString()); s != "" && !slices.Contains(c.allowed, s) {
		resp.Diagnostics.AddAttributeError(req.Path, c.summary, c.configError(s))
	}
}

// resolve is the effective value of the resolved settings v; configured
// says which came from the configuration (the rest from the environment).
func (c choiceValidator) resolve(v map[string]string, configured map[string]bool, diags *diag.Diagnostics) string {
	s := c.normal(v[c.attr])
	switch {
	case s == "":
		return c.allowed[0]
	case slices.Contains(c.allowed, s):
		return s
	case configured[c.attr]:
		diags.AddAttributeError(path.Root(c.attr), c.summary, c.configError(s))
	default:
		diags.AddError(c.summary, fmt.Sprintf("The environment variable %s (read because %s is not set, or blank, in the provider configuration) must be %s, not %q. Unset it for %q.", c.env, c.attr, c.quoted(), s, c.allowed[0]))
	}
	return s
}

func (c choiceValidator) configError(s string) string {
	return fmt.Sprintf("%s must be %s, not %q. Leave it unset (or empty) for %q.", c.attr, c.quoted(), s, c.allowed[0])
}

func (c choiceValidator) normal(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// quoted lists the allowed values as "a", "b" or "c".
func (c choiceValidator) quoted() string {
	q := make([]string, len(c.allowed))
	for i, a := range c.allowed {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// checkHeaders validates the extra headers and returns them with names in
// lower case (gRPC metadata keys must be).
//
// Its errors point at no attribute: headers is sensitive (a gateway's
// service token), and Terraform prints the source line an attribute error
// points at.
func checkHeaders(headers map[string]string, diags *diag.Diagnostics) map[string]string {
	out := make(map[string]string, len(headers))
	for _, name := range sortedKeys(headers) {
		lower := strings.ToLower(strings.TrimSpace(name))
		_, dup := out[lower]
		switch {
		case lower == "authorization":
			diags.AddError("Reserved Header",
				fmt.Sprintf("headers (or ZITADEL_HEADERS) may not set %q: the provider sets it from access_token or the key file. Remove it.", name))
		case lower == zitadel.OrgHeader:
			diags.AddError("Reserved Header",
				fmt.Sprintf("headers (or ZITADEL_HEADERS) may not set %q: the provider sets it from org_id. Remove it and set org_id instead.", name))
		case !validHeaderName(lower) || strings.HasPrefix(lower, "grpc-") || slices.Contains(transportHeaders, lower):
			diags.AddError("Invalid Header Name",
				fmt.Sprintf("headers (or ZITADEL_HEADERS) has the header name %q, which cannot be set here: names are letters, digits and dashes, and the headers HTTP and gRPC set themselves (%s, grpc-*) are refused.", name, strings.Join(transportHeaders, ", ")))
		case !printableASCII(headers[name]):
			diags.AddError("Invalid Header Value",
				fmt.Sprintf("The value of header %q (in headers or ZITADEL_HEADERS) holds a character other than printable ASCII (a line break, a tab, a non-ASCII letter), which request headers cannot carry. Encode the value as the gateway expects, or remove stray whitespace.", name))
		case dup:
			diags.AddError("Duplicate Header",
				fmt.Sprintf("headers (or ZITADEL_HEADERS) names %q twice, in different cases. Header names are case-insensitive: keep one.", lower))
		}
		out[lower] = headers[name]
	}
	return out
}

// transportHeaders are set by the HTTP and gRPC stacks themselves.
var transportHeaders = []string{"accept", "connection", "content-length", "content-type", "host", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "user-agent"}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && !strings.ContainsRune("!#$%&'*+-.^_`|~", r) {
			return false
		}
	}
	return true
}

// errWithoutValues is a JSON error's message without the input it quotes
// (header values are secrets).
func errWithoutValues(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return "it must be a JSON object, not a JSON " + te.Value
		}
		return "every value must be a string"
	}
	return "not a JSON object"
}

func errWithoutPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseDomain strips a scheme, path and trailing slash and splits off a port.
func parseDomain(s string) (host, port string) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if h, p, err := net.SplitHostPort(s); err == nil {
		return h, p
	}
	return strings.Trim(s, "[]"), ""
}

func validPEMCertificate(s string) bool {
	rest := []byte(s)
	found := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return found
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return false
		}
		found = true
	}
}

func (p *zitadelMetaProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewOrgMetadataResource, NewUserMetadataResource}
}

func (p *zitadelMetaProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewOrgMetadataDataSource, NewUserMetadataDataSource}
}
