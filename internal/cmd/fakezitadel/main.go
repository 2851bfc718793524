// Command fakezitadel serves the project's fake ZITADEL over plaintext gRPC
// until interrupted. Once ready it prints exactly one JSON line to stdout:
//
//	{"endpoint":"127.0.0.1:PORT","org_id":"...","second_org_id":"...","access_token":"...","viewer_access_token":"...","outsider_access_token":"...","user_id":"...","second_user_id":"...","admin_access_token":"..."}
//
// The access token owns both organizations, the viewer holds
// ORG_OWNER_VIEWER on org_id and the outsider has no membership. user_id is
// a machine user of org_id and second_user_id one of second_org_id, for the
// user metadata calls; the admin access token is an instance owner's
// (IAM_OWNER), allowed in every organization. Other tooling depends on this
// output: fields may be added, none changed or removed.
//
// Flags switch on the fake's opt-in behaviours of a real server
// (-unknown-wrap-quirk, -write-conflicts, -shuffle-lists) and serve only
// one API generation (-disable-v1, -disable-v2); see -help. The fake serves
// the management API v1, the organization service v2 and the user service
// v2 on the same port.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
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
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stdout, stop); err != nil {
		fmt.Fprintln(os.Stderr, "fakezitadel:", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	listen string
	keyOut string
	opts   fakezitadel.Options
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("fakezitadel", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "address to listen on")
	fs.StringVar(&c.keyOut, "jwt-profile-out", "", "also write a key file for a service account that owns both organizations to this path")
	fs.BoolVar(&c.opts.UnknownWrapQuirk, "unknown-wrap-quirk", false, "answer validation errors with code Unknown, as ZITADEL v4.11 to v4.13.1 do")
	fs.BoolVar(&c.opts.WriteConflicts, "write-conflicts", false, "fail a write to an organization that another write is in flight for, with code Unknown and SQLSTATE 23505, as ZITADEL's event store now and then does")
	fs.BoolVar(&c.opts.ShuffleLists, "shuffle-lists", false, "list metadata in a stable order that is not sorted: ZITADEL guarantees no order")
	fs.BoolVar(&c.opts.DisableV1, "disable-v1", false, "answer every management API v1 call with Unimplemented, as a server that dropped the deprecated calls would")
	fs.BoolVar(&c.opts.DisableV2, "disable-v2", false, "answer every organization service v2 and user service v2 call with Unimplemented, as a ZITADEL older than v4.7 does for the metadata calls")
	return c, fs.Parse(args)
}

// run serves until stop receives.
func run(args []string, stdout io.Writer, stop <-chan os.Signal) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}

	srv := fakezitadel.New(c.opts)
	fx := srv.Populate()
	if c.keyOut != "" {
		sa := srv.AddUser(fx.OrgID)
		srv.Grant(sa, fx.OrgID, "ORG_OWNER")
		srv.Grant(sa, fx.SecondOrgID, "ORG_OWNER")
		key, err := srv.AddServiceAccountKey(sa)
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.keyOut, key, 0o600); err != nil {
			return err
		}
	}
	addr, err := srv.Start(c.listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	line, err := json.Marshal(ready{Endpoint: addr, Fixture: fx})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdout, string(line)); err != nil {
		return err
	}
	<-stop
	return nil
}
