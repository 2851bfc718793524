package zitadel

import (
	"context"
	"fmt"
	"testing"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// BenchmarkWire is one bulk set and one search of 10,000 keys (a tenth of
// them 2 KiB) against the in-process fake, per transport: client and server
// on one machine, so it measures both ends' encoding, not a network.
func BenchmarkWire(b *testing.B) {
	for _, tr := range []string{TransportGRPC, TransportREST} {
		b.Run(tr, func(b *testing.B) {
			srv, fx := fakezitadel.StartTest(b, fakezitadel.Options{})
			host, port := splitAddr(srv.Addr())
			c, err := New(Config{Domain: host, Port: port, Insecure: true, AccessToken: fx.OwnerToken, Retry: DefaultRetryPolicy(), Transport: tr})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Close() })
			var kvs []KV
			for i := range 10000 {
				v := []byte(fmt.Sprintf("value-%d", i))
				if i%10 == 0 {
					v = make([]byte, 2048)
				}
				kvs = append(kvs, KV{Key: fmt.Sprintf("bench.key.%05d", i), Value: v})
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				kvs[0].Value = []byte(fmt.Sprint(i))
				if _, err := c.SetMetadata(context.Background(), OrgOwner(fx.OrgID), kvs); err != nil {
					b.Fatal(err)
				}
				if _, err := c.ListMetadata(context.Background(), OrgOwner(fx.OrgID), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
