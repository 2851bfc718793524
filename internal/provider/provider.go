// Package provider implements the zitadelmeta Terraform provider.
package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

var (
	_ provider.Provider                       = (*zitadelMetaProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*zitadelMetaProvider)(nil)
)

// zitadelMetaProvider configures one ZITADEL client shared by every
// resource and data source.
type zitadelMetaProvider struct {
	version string
	getenv  func(string) string
	// tune adjusts the client configuration; tests use it to shrink chunk
	// sizes and retry delays.
	tune func(*zitadel.Config)
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
	data := &providerData{api: client, defaultOrgID: v["org_id"]}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

func (p *zitadelMetaProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewOrgMetadataResource, NewUserMetadataResource}
}

func (p *zitadelMetaProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewOrgMetadataDataSource, NewUserMetadataDataSource}
}

func (p *zitadelMetaProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewOrgMetadataEphemeralResource, NewUserMetadataEphemeralResource}
}
