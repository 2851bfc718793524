package provider

// From the provider's configuration to a client's: settings from the
// configuration or the environment, credentials, headers, the domain and a
// private CA, with errors that never show a secret.

import (
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
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// setting is one provider attribute resolved from configuration, then the
// environment.
type setting struct {
	attr, env string
	value     types.String
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
