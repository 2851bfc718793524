package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Operation timeouts of the resource, overridable in its timeouts block.
var defaultTimeouts = map[string]time.Duration{
	"create": 20 * time.Minute,
	"read":   5 * time.Minute,
	"update": 20 * time.Minute,
	"delete": 20 * time.Minute,
}

var timeoutsAttrTypes = map[string]attr.Type{
	"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
}

func timeoutsBlock() schema.Block {
	attrs := map[string]schema.Attribute{}
	for op, d := range defaultTimeouts {
		attrs[op] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("Time the whole %s may take, retries included, as a duration such as `90s` or `1h`. Defaults to `%s`.", op, shortDuration(d)),
			Validators:          []validator.String{durationValidator{}},
		}
	}
	return schema.SingleNestedBlock{
		MarkdownDescription: "Per-operation time limits. When one runs out, the operation stops with an error that says so; what reached ZITADEL before is recorded in state.",
		Attributes:          attrs,
	}
}

func shortDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return d.String()
}

// withTimeout bounds ctx by the operation's timeout from the timeouts block,
// or its default. The configured value was validated at plan time.
func withTimeout(ctx context.Context, timeouts types.Object, op string) (context.Context, context.CancelFunc) {
	d := defaultTimeouts[op]
	if !timeouts.IsNull() && !timeouts.IsUnknown() {
		if s, ok := timeouts.Attributes()[op].(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			if parsed, err := time.ParseDuration(s.ValueString()); err == nil && parsed > 0 {
				d = parsed
			}
		}
	}
	return context.WithTimeout(ctx, d)
}

// durationValidator accepts positive Go durations ("30s", "5m", "1h30m").
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a positive duration such as 30s, 5m or 1h"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timeout",
			fmt.Sprintf("%q is not a positive duration; write it like 30s, 5m or 1h30m.", req.ConfigValue.ValueString()))
	}
}
