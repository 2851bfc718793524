package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

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
