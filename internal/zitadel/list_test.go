package zitadel

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	"google.golang.org/grpc"
)

// scriptedPage is one answer of a scripted search: keys in the order the
// server lists them, and the total it reports.
type scriptedPage struct {
	keys  []string
	total uint64
}

// scriptedSearch answers ListOrgMetadata with scripted pages, one per call,
// to reproduce what a real server does while others write: keys moving
// between pages, totals changing, no order.
type scriptedSearch struct {
	management.UnimplementedManagementServiceServer
	mu      sync.Mutex
	pages   []scriptedPage
	offsets []uint64
}

func (s *scriptedSearch) ListOrgMetadata(_ context.Context, req *management.ListOrgMetadataRequest) (*management.ListOrgMetadataResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offsets = append(s.offsets, req.GetQuery().GetOffset())
	if len(s.pages) == 0 {
		return &management.ListOrgMetadataResponse{}, nil
	}
	p := s.pages[0]
	s.pages = s.pages[1:]
	resp := &management.ListOrgMetadataResponse{Details: &object.ListDetails{TotalResult: p.total}}
	for _, k := range p.keys {
		resp.Result = append(resp.Result, &mdpb.Metadata{Key: k, Value: []byte("v")})
	}
	return resp, nil
}

func scriptedClient(t *testing.T, pages ...scriptedPage) (*Client, *scriptedSearch) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	script := &scriptedSearch{pages: pages}
	management.RegisterManagementServiceServer(srv, script)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	host, port := splitAddr(lis.Addr().String())
	c, err := New(Config{Domain: host, Port: port, Insecure: true, AccessToken: "t", Retry: DefaultRetryPolicy(), PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, script
}

func listedKeys(t *testing.T, c *Client) string {
	t.Helper()
	entries, err := c.ListMetadata(context.Background(), OrgOwner("1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return fmt.Sprint(keys)
}

func TestListStartsOverWhenAKeyMightHaveBeenSkipped(t *testing.T) {
	// [a b c d e] paged by two; a is removed after the first page, so c
	// slides to offset 1 and the second page (offset 2) misses it. The
	// total changed (5, then 4): the search starts over.
	c, script := scriptedClient(t,
		scriptedPage{[]string{"a", "b"}, 5},
		scriptedPage{[]string{"d", "e"}, 4},
		scriptedPage{[]string{"e", "b"}, 4}, // no order guaranteed
		scriptedPage{[]string{"d", "c"}, 4},
	)
	if got := listedKeys(t, c); got != "[b c d e]" {
		t.Fatalf("listed %s, want [b c d e], sorted, nothing missed", got)
	}
	if fmt.Sprint(script.offsets) != "[0 2 0 2]" {
		t.Fatalf("offsets %v", script.offsets)
	}
}

func TestListStartsOverWhenFewerKeysThanTheTotalWereRead(t *testing.T) {
	// One key removed before the cursor and one added after it between the
	// pages: the totals agree, but only 3 of 4 distinct keys were read.
	c, _ := scriptedClient(t,
		scriptedPage{[]string{"a", "b"}, 4},
		scriptedPage{[]string{"d"}, 4},
		scriptedPage{nil, 0}, // past the end: ZITADEL reports no total
		scriptedPage{[]string{"b", "c"}, 4},
		scriptedPage{[]string{"d", "e"}, 4},
	)
	if got := listedKeys(t, c); got != "[b c d e]" {
		t.Fatalf("listed %s, want [b c d e]", got)
	}
}

func TestListStartsOverWhenAKeyIsReadTwice(t *testing.T) {
	// [a b c]: after the first page 0 is added before the cursor and c
	// removed behind it, so b comes again and 0 is never seen, while the
	// totals and the count agree. The repeated key gives it away.
	c, _ := scriptedClient(t,
		scriptedPage{[]string{"a", "b"}, 3},
		scriptedPage{[]string{"b"}, 3},
		scriptedPage{[]string{"0", "a"}, 3},
		scriptedPage{[]string{"b"}, 3},
	)
	if got := listedKeys(t, c); got != "[0 a b]" {
		t.Fatalf("listed %s, want [0 a b]", got)
	}
}

func TestListGivesUpWhenTheOrganizationKeepsChanging(t *testing.T) {
	var pages []scriptedPage
	for i := 0; i < listAttempts; i++ {
		pages = append(pages, scriptedPage{[]string{"a", "b"}, 4}, scriptedPage{[]string{"c"}, 3})
	}
	c, script := scriptedClient(t, pages...)
	_, err := c.ListMetadata(context.Background(), OrgOwner("1"), nil)
	if err == nil || !strings.Contains(err.Error(), "changed while it was read") {
		t.Fatalf("got %v, want an error rather than a reading that may lack a key", err)
	}
	if n := len(script.offsets); n != 2*listAttempts {
		t.Fatalf("%d calls, want %d", n, 2*listAttempts)
	}
}
