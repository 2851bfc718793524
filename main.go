// Command terraform-provider-zitadelmeta serves the zitadelmeta Terraform
// provider over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/provider"
)

// version is set by the release build (goreleaser's ldflags).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()
	quietFrameworkTrace()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/zitadelmeta/zitadelmeta",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietFrameworkTrace turns the framework's own log level down to warnings
// unless someone asked for logs. The framework writes trace lines for every
// element of every map it plans; at 10,000 keys that was most of the
// provider's CPU time, for lines Terraform discards when TF_LOG is unset.
// With TF_LOG, TF_LOG_PROVIDER or TF_LOG_SDK* set, nothing changes.
func quietFrameworkTrace() {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(v) != "" {
			return
		}
	}
	_ = os.Setenv("TF_LOG_SDK_FRAMEWORK", "warn")
}
