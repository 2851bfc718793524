package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// TestReadyLine pins the standalone command's output, which other tooling
// parses, and checks that what it announces works.
func TestReadyLine(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "key.json")
	r, w := io.Pipe()
	stop := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- run([]string{"-listen", "127.0.0.1:0", "-jwt-profile-out", keyPath}, w, stop) }()
	defer func() {
		stop <- os.Interrupt
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("not one JSON object: %q", line)
	}
	var fields []string
	for k, v := range got {
		fields = append(fields, k)
		if v == "" {
			t.Errorf("%s is empty", k)
		}
	}
	sort.Strings(fields)
	want := []string{"access_token", "admin_access_token", "endpoint", "org_id", "outsider_access_token", "second_org_id", "second_user_id", "user_id", "viewer_access_token"}
	if !reflect.DeepEqual(fields, want) {
		t.Fatalf("fields %v, want exactly %v", fields, want)
	}
	if !strings.HasPrefix(got["endpoint"], "127.0.0.1:") {
		t.Fatalf("endpoint %q", got["endpoint"])
	}

	host, portText, _ := strings.Cut(got["endpoint"], ":")
	port, _ := strconv.Atoi(portText)
	client := func(cfg zitadel.Config) *zitadel.Client {
		cfg.Domain, cfg.Port, cfg.Insecure, cfg.Retry = host, port, true, zitadel.DefaultRetryPolicy()
		c, err := zitadel.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	ctx := context.Background()
	owner := client(zitadel.Config{AccessToken: got["access_token"]})
	for _, org := range []string{got["org_id"], got["second_org_id"]} {
		if _, err := owner.SetMetadata(ctx, zitadel.OrgOwner(org), []zitadel.KV{{Key: "k", Value: []byte("v")}}); err != nil {
			t.Fatalf("owner cannot write %s: %v", org, err)
		}
	}
	viewer := client(zitadel.Config{AccessToken: got["viewer_access_token"]})
	if _, err := viewer.ListMetadata(ctx, zitadel.OrgOwner(got["org_id"]), nil); err != nil {
		t.Fatalf("viewer cannot read: %v", err)
	}
	if _, err := viewer.SetMetadata(ctx, zitadel.OrgOwner(got["org_id"]), []zitadel.KV{{Key: "k", Value: []byte("w")}}); !zitadel.IsKind(err, zitadel.KindPermissionDenied) {
		t.Fatalf("viewer write: %v", err)
	}
	outsider := client(zitadel.Config{AccessToken: got["outsider_access_token"]})
	if _, err := outsider.ListMetadata(ctx, zitadel.OrgOwner(got["org_id"]), nil); !zitadel.IsKind(err, zitadel.KindNoMembership) {
		t.Fatalf("outsider read: %v", err)
	}
	keyJSON, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := zitadel.ParseKeyFile(keyJSON)
	if err != nil {
		t.Fatal(err)
	}
	sa := client(zitadel.Config{KeyFile: kf})
	if _, err := sa.SetMetadata(ctx, zitadel.OrgOwner(got["second_org_id"]), []zitadel.KV{{Key: "by_key", Value: []byte("v")}}); err != nil {
		t.Fatalf("service account cannot write: %v", err)
	}
	checkUsers(t, got)
}

// checkUsers checks the announced users and the admin token with the
// generated user service v2 client: each user belongs to its organization,
// the admin and the owner may write its metadata, the viewer may not.
func checkUsers(t *testing.T, got map[string]string) {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+got["endpoint"], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	users := userv2.NewUserServiceClient(conn)
	as := func(token string) context.Context {
		return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
	}
	for userKey, orgKey := range map[string]string{"user_id": "org_id", "second_user_id": "second_org_id"} {
		resp, err := users.GetUserByID(as(got["admin_access_token"]), &userv2.GetUserByIDRequest{UserId: got[userKey]})
		if err != nil || resp.GetUser().GetDetails().GetResourceOwner() != got[orgKey] || resp.GetUser().GetMachine() == nil {
			t.Fatalf("%s: %v, user %v, want a machine user of %s", userKey, err, resp.GetUser(), got[orgKey])
		}
		for _, token := range []string{got["admin_access_token"], got["access_token"]} {
			set := &userv2.SetUserMetadataRequest{UserId: got[userKey], Metadata: []*userv2.Metadata{{Key: "k", Value: []byte("v")}}}
			if _, err := users.SetUserMetadata(as(token), set); err != nil {
				t.Fatalf("cannot write the metadata of %s: %v", userKey, err)
			}
		}
	}
	set := &userv2.SetUserMetadataRequest{UserId: got["user_id"], Metadata: []*userv2.Metadata{{Key: "k", Value: []byte("w")}}}
	if _, err := users.SetUserMetadata(as(got["viewer_access_token"]), set); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("viewer wrote user metadata: %v", err)
	}
}

func TestFlags(t *testing.T) {
	cases := []struct {
		args []string
		want fakezitadel.Options
	}{
		{nil, fakezitadel.Options{}},
		{[]string{"-unknown-wrap-quirk"}, fakezitadel.Options{UnknownWrapQuirk: true}},
		{[]string{"-write-conflicts"}, fakezitadel.Options{WriteConflicts: true}},
		{[]string{"-shuffle-lists"}, fakezitadel.Options{ShuffleLists: true}},
		{[]string{"-write-conflicts", "-shuffle-lists", "-unknown-wrap-quirk"}, fakezitadel.Options{UnknownWrapQuirk: true, WriteConflicts: true, ShuffleLists: true}},
		{[]string{"-disable-v1"}, fakezitadel.Options{DisableV1: true}},
		{[]string{"-disable-v2"}, fakezitadel.Options{DisableV2: true}},
	}
	for _, c := range cases {
		got, err := parseFlags(c.args)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if !reflect.DeepEqual(got.opts, c.want) || got.listen != "127.0.0.1:0" {
			t.Errorf("%v: options %+v listen %q, want %+v on 127.0.0.1:0", c.args, got.opts, got.listen, c.want)
		}
	}
	if _, err := parseFlags([]string{"-no-such-flag"}); err == nil {
		t.Error("an unknown flag was accepted")
	}
}
