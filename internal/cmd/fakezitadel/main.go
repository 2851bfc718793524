// Command fakezitadel serves the project's fake ZITADEL over plaintext gRPC
// until interrupted. Once ready it prints exactly one JSON line to stdout:
//
//	{"endpoint":"127.0.0.1:PORT","org_id":"...","second_org_id":"...","access_token":"...","viewer_access_token":"...","outsider_access_token":"..."}
//
// The access token owns both organizations, the viewer holds
// ORG_OWNER_VIEWER on org_id and the outsider has no membership. Other
// tooling depends on this output: keep it stable.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

type ready struct {
	Endpoint string `json:"endpoint"`
	fakezitadel.Fixture
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	keyOut := flag.String("jwt-profile-out", "", "also write a key file for a service account that owns both organizations to this path")
	quirk := flag.Bool("unknown-wrap-quirk", false, "answer validation errors with code Unknown, as ZITADEL v4.11 to v4.13.1 do")
	flag.Parse()

	srv := fakezitadel.New(fakezitadel.Options{UnknownWrapQuirk: *quirk})
	fx := srv.Populate()
	if *keyOut != "" {
		sa := srv.AddUser(fx.OrgID)
		srv.Grant(sa, fx.OrgID, "ORG_OWNER")
		srv.Grant(sa, fx.SecondOrgID, "ORG_OWNER")
		key, err := srv.AddServiceAccountKey(sa)
		if err == nil {
			err = os.WriteFile(*keyOut, key, 0o600)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakezitadel:", err)
			os.Exit(1)
		}
	}
	addr, err := srv.Start(*listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakezitadel:", err)
		os.Exit(1)
	}
	line, _ := json.Marshal(ready{Endpoint: addr, Fixture: fx})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	srv.Close()
}
