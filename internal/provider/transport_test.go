package provider

// Tests that pin transport: Terraform through proxies that break gRPC. Every
// other acceptance test runs over both transports (make test;
// TF_ACC_ZITADEL_TRANSPORT).

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/proxytest"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// onlyInGRPCLeg runs a test that pins its own transport in one leg of the
// matrix only.
func onlyInGRPCLeg(t *testing.T) {
	t.Helper()
	if matrixTransport() != zitadel.TransportGRPC {
		t.Skip("pins transport; runs in the grpc legs of the matrix")
	}
}

// Behind each proxy that breaks gRPC, the default transport gets through
// (each provider process tries gRPC once, then uses REST), and a forced
// gRPC fails the plan with advice to use REST.
func TestAccTransport_throughProxiesThatBreakGRPC(t *testing.T) {
	onlyInGRPCLeg(t)
	for _, kind := range proxytest.Kinds() {
		t.Run(kind.String(), func(t *testing.T) {
			parallelOnFake(t)
			e := newTestEnv(t)
			backend, backendTLS := e.serverAddr()
			if backendTLS != nil {
				t.Skip("the proxies pass plaintext HTTP to the server; this ZITADEL speaks TLS")
			}
			// A real ZITADEL finds its instance by the Host header: the
			// proxy passes its name on.
			p := proxytest.StartFor(t, kind, backend, backend)
			provider := func(transport string) string {
				return e.ProviderVia(p.Addr(), p.CACertPEM(), "transport = "+hclString(transport))
			}
			behind := e.K("behind")
			body := orgMetadata("test", "org_id = "+hclString(e.OrgID), attrMap("values", map[string]string{behind: "proxy"}))
			advice := "not in gRPC"
			if kind == proxytest.TLSNoALPN {
				advice = "does not offer HTTP/2"
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{
					{
						Config:      provider("grpc") + body,
						ExpectError: errorText(advice, `Set transport = "rest"`),
					},
					{
						Config:            provider("auto") + body + search(e.OrgID),
						ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{behind: "proxy"})},
					},
					{
						Config:            provider("rest") + body + search(e.OrgID),
						ConfigStateChecks: []statecheck.StateCheck{e.serverHolds(e.OrgID, map[string]string{behind: "proxy"})},
					},
				},
			})
		})
	}
}
