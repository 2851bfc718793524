package zitadel

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// logInterceptor writes one debug line per RPC attempt: method, organization,
// code and duration. Requests, responses and credentials are never logged.
func logInterceptor(ctx context.Context, fullMethod string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	start := time.Now()
	err := invoker(ctx, fullMethod, req, reply, cc, opts...)
	org, _ := ctx.Value(orgKey{}).(string)
	if org == "" {
		org = "(caller's own)"
	}
	tflog.Debug(ctx, "ZITADEL call", map[string]any{
		"method":      fullMethod[strings.LastIndex(fullMethod, "/")+1:],
		"org_id":      org,
		"code":        status.Code(err).String(),
		"duration_ms": time.Since(start).Milliseconds(),
	})
	return err
}
