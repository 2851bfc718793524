package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Operation timeouts of the resource, overridable in its timeouts block.
var defaultTimeouts = map[string]time.Duration{
	"create": 20 * time.Minute,
	"read":   5 * time.Minute,
	"update": 20 * time.Minute,
	"delete": 20 * time.Minute,
}

// timeoutsBlock is terraform-plugin-framework-timeouts' block, with the
// defaults in its descriptions.
func timeoutsBlock(ctx context.Context) schema.Block {
	desc := func(op string) string {
		return fmt.Sprintf("Time the whole %s may take, retries included, as a duration such as `90s` or `1h`. Defaults to `%s`.", op, shortDuration(defaultTimeouts[op]))
	}
	b := timeouts.Block(ctx, timeouts.Opts{
		Create: true, Read: true, Update: true, Delete: true,
		CreateDescription: desc("create"), ReadDescription: desc("read"), UpdateDescription: desc("update"), DeleteDescription: desc("delete"),
	})
	if sb, ok := b.(schema.SingleNestedBlock); ok {
		sb.MarkdownDescription = "Per-operation time limits. When one runs out, the operation stops with an error that says so; what reached ZITADEL before is recorded in state."
		return sb
	}
	return b
}

func shortDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return d.String()
}

// withTimeout bounds ctx by the operation's timeout from the timeouts block,
// or its default (also for a value that is not positive). The block's
// values were validated at plan time.
func withTimeout(ctx context.Context, t timeouts.Value, op string) (context.Context, context.CancelFunc) {
	d := defaultTimeouts[op]
	if !t.IsNull() && !t.IsUnknown() {
		var got time.Duration
		var diags diag.Diagnostics
		switch op {
		case "create":
			got, diags = t.Create(ctx, d)
		case "read":
			got, diags = t.Read(ctx, d)
		case "update":
			got, diags = t.Update(ctx, d)
		case "delete":
			got, diags = t.Delete(ctx, d)
		}
		if !diags.HasError() && got > 0 {
			d = got
		}
	}
	return context.WithTimeout(ctx, d)
}

// timeoutsAttrTypes are the block's attributes, as the timeouts module
// declares them.
var timeoutsAttrTypes = map[string]attr.Type{
	"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
}

// nullTimeouts is an absent timeouts block, as import records it.
func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes)}
}
