package zitadel

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// A client through a fakezitadel.Front reaches the server behind it over
// both transports, and meets the faults injected at the front: counted,
// retried where transient, and the front's missing API and TLS as a server
// of that shape would show them. (The acceptance tests put one in front of
// a real ZITADEL for their faults.)
func TestThroughAFront(t *testing.T) {
	for _, transport := range []string{TransportGRPC, TransportREST} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			h := startFake(t, fakezitadel.Options{})
			f := fakezitadel.StartFront(t, h.srv.Addr(), nil, fakezitadel.Options{})
			host, port := splitAddr(f.Addr())
			c := h.client(t, func(c *Config) { c.Domain, c.Port, c.Transport, c.APIVersion = host, port, transport, APIV1 })
			ctx := context.Background()
			owner := OrgOwner(h.fx.OrgID)

			f.InjectFault("BulkSetOrgMetadata", 2, fakezitadel.Fault{Code: codes.Unavailable, Message: "try later"})
			if _, err := c.SetMetadata(ctx, owner, []KV{{"k", []byte("v")}}); err != nil {
				t.Fatal(err)
			}
			if n, m := f.Calls("BulkSetOrgMetadata"), h.srv.Calls("BulkSetOrgMetadata"); n != 3 || m != 1 {
				t.Fatalf("%d calls at the front, %d at the server; want 3 and 1", n, m)
			}
			f.InjectFault("ListOrgMetadata", 1, fakezitadel.Fault{Page: 502})
			got, err := c.ListMetadata(ctx, owner, nil)
			if err != nil || len(got) != 1 || string(got[0].Value) != "v" {
				t.Fatalf("list after a 502 page: %v, %v", got, err)
			}
			f.InjectFault("ListOrgMetadata", 1, fakezitadel.Fault{Code: codes.OK, Delay: 300 * time.Millisecond})
			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			if _, err := c.ListMetadata(short, owner, nil); !IsKind(err, KindTimeout) && !IsKind(err, KindCanceled) {
				t.Fatalf("a slow front: %v", err)
			}
		})
	}
}

func TestThroughAFrontWithoutV1AndWithTLS(t *testing.T) {
	h := startFake(t, fakezitadel.Options{})
	f := fakezitadel.StartFront(t, h.srv.Addr(), nil, fakezitadel.Options{DisableV1: true, TLS: true})
	host, port := splitAddr(f.Addr())
	for _, transport := range []string{TransportGRPC, TransportREST} {
		c := h.client(t, func(c *Config) {
			c.Domain, c.Port, c.Transport, c.APIVersion = host, port, transport, APIAuto
			c.Insecure, c.CACertPEM = false, f.CACertPEM()
		})
		if _, err := c.SetMetadata(context.Background(), OrgOwner(h.fx.OrgID), []KV{{"k", []byte("v")}}); err != nil {
			t.Fatalf("%s: %v", transport, err)
		}
		if c.APIVersion() != APIV2 {
			t.Fatalf("%s: auto chose %s behind a front without v1", transport, c.APIVersion())
		}
	}
}
