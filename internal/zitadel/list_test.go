package zitadel

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	"google.golang.org/grpc"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// scriptedPage is one answer of a scripted search: keys in the order the
// server lists them, and the total it reports.
type scriptedPage struct {
	keys  []string
	total uint64
}

// scriptedSearch answers ListOrgMetadata with scripted pages, one per call,
// to reproduce what a real server does while others write: keys moving
// between pages, totals changing, no order. A search narrowed by key (a
// read in parts), and any search once the scripted pages are used up, is
// answered from keysNow instead: the keys the owner holds at that call,
// sorted, with the total of its matches.
type scriptedSearch struct {
	management.UnimplementedManagementServiceServer
	mu      sync.Mutex
	pages   []scriptedPage
	offsets []uint64
	keysNow func(call int) []string
	// calls counts every search, narrowed the searches narrowed by key.
	calls, narrowed int
}

func (s *scriptedSearch) ListOrgMetadata(_ context.Context, req *management.ListOrgMetadataRequest) (*management.ListOrgMetadataResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(req.GetQueries()) > 0 {
		s.narrowed++
	} else {
		s.offsets = append(s.offsets, req.GetQuery().GetOffset())
	}
	if len(req.GetQueries()) > 0 || len(s.pages) == 0 {
		return s.answerNow(req), nil
	}
	p := s.pages[0]
	s.pages = s.pages[1:]
	resp := &management.ListOrgMetadataResponse{Details: &object.ListDetails{TotalResult: p.total}}
	for _, k := range p.keys {
		resp.Result = append(resp.Result, &mdpb.Metadata{Key: k, Value: []byte("v")})
	}
	return resp, nil
}

// answerNow applies a search's key queries (STARTS_WITH and EQUALS),
// offset and limit to the keys of keysNow.
func (s *scriptedSearch) answerNow(req *management.ListOrgMetadataRequest) *management.ListOrgMetadataResponse {
	var keys []string
	if s.keysNow != nil {
		keys = s.keysNow(s.calls)
	}
	var matched []string
keys:
	for _, k := range keys {
		for _, q := range req.GetQueries() {
			kq := q.GetKeyQuery()
			if kq.GetMethod() == object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH && !strings.HasPrefix(k, kq.GetKey()) ||
				kq.GetMethod() == object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS && k != kq.GetKey() {
				continue keys
			}
		}
		matched = append(matched, k)
	}
	slices.Sort(matched)
	resp := &management.ListOrgMetadataResponse{Details: &object.ListDetails{TotalResult: uint64(len(matched))}}
	matched = matched[min(int(req.GetQuery().GetOffset()), len(matched)):]
	if limit := int(req.GetQuery().GetLimit()); limit > 0 && limit < len(matched) {
		matched = matched[:limit]
	}
	if len(matched) == 0 {
		resp.Details.TotalResult = 0
	}
	for _, k := range matched {
		resp.Result = append(resp.Result, &mdpb.Metadata{Key: k, Value: []byte("v")})
	}
	return resp
}

// settled is a keysNow for an owner that holds keys from then on.
func settled(keys ...string) func(int) []string { return func(int) []string { return keys } }

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

func TestListReadsInPartsWhenAKeyMightHaveBeenSkipped(t *testing.T) {
	// [a b c d e] paged by two; a is removed after the first page, so c
	// slides to offset 1 and the second page (offset 2) misses it. The
	// total changed (5, then 4): the search is read again in parts.
	c, script := scriptedClient(t,
		scriptedPage{[]string{"a", "b"}, 5},
		scriptedPage{[]string{"d", "e"}, 4},
	)
	script.keysNow = settled("b", "c", "d", "e")
	if got := listedKeys(t, c); got != "[b c d e]" {
		t.Fatalf("listed %s, want [b c d e], sorted, nothing missed", got)
	}
	// One paged reading, then the parts, which begin with the whole
	// search's first page.
	if fmt.Sprint(script.offsets) != "[0 2 0]" || script.narrowed == 0 {
		t.Fatalf("offsets %v and %d narrowed searches, want one paged reading, then parts", script.offsets, script.narrowed)
	}
}

func TestListReadsInPartsWhenFewerKeysThanTheTotalWereRead(t *testing.T) {
	// One key removed before the cursor and one added after it between the
	// pages: the totals agree, but only 3 of 4 distinct keys were read.
	c, script := scriptedClient(t,
		scriptedPage{[]string{"a", "b"}, 4},
		scriptedPage{[]string{"d"}, 4},
		scriptedPage{nil, 0}, // past the end: ZITADEL reports no total
	)
	script.keysNow = settled("b", "c", "d", "e")
	if got := listedKeys(t, c); got != "[b c d e]" {
		t.Fatalf("listed %s, want [b c d e]", got)
	}
}

func TestListReadsInPartsWhenAKeyIsReadTwice(t *testing.T) {
	// [a b c]: after the first page 0 is added before the cursor and c
	// removed behind it, so b comes again and 0 is never seen, while the
	// totals and the count agree. The repeated key gives it away; the parts
	// find 0 although no page showed it (a probe of the first character).
	c, script := scriptedClient(t,
		scriptedPage{[]string{"a", "b"}, 3},
		scriptedPage{[]string{"b"}, 3},
	)
	script.keysNow = settled("0", "a", "b")
	if got := listedKeys(t, c); got != "[0 a b]" {
		t.Fatalf("listed %s, want [0 a b]", got)
	}
}

// A quiet server that answers every page in another order (the user
// service v2 sorts by creation date alone, and one bulk write's keys tie):
// the paged reading never adds up, the parts do, with keys under one
// shared prefix split by the character after it.
func TestListReadsInPartsWhatNoOrderServes(t *testing.T) {
	var keys []string
	for i := range 9 {
		keys = append(keys, fmt.Sprintf("team/k%d", i))
	}
	c, script := scriptedClient(t,
		scriptedPage{[]string{"team/k0", "team/k4"}, 9},
		scriptedPage{[]string{"team/k4", "team/k8"}, 9},
		scriptedPage{[]string{"team/k0", "team/k8"}, 9},
		scriptedPage{[]string{"team/k4", "team/k0"}, 9},
		scriptedPage{[]string{"team/k2"}, 9},
	)
	script.keysNow = settled(keys...)
	if got := listedKeys(t, c); got != fmt.Sprint(keys) {
		t.Fatalf("listed %s, want %v", got, keys)
	}
}

func TestListGivesUpWhenTheOrganizationKeepsChanging(t *testing.T) {
	// Keys come and go between any two searches.
	c, script := scriptedClient(t)
	script.keysNow = func(call int) []string {
		var keys []string
		for i := range 3 + call%5 {
			keys = append(keys, fmt.Sprintf("k%03d", i))
		}
		return keys
	}
	_, err := c.ListMetadata(context.Background(), OrgOwner("1"), nil)
	if err == nil || !strings.Contains(err.Error(), "changed while it was read") {
		t.Fatalf("got %v, want an error rather than a reading that may lack a key", err)
	}
	if script.narrowed == 0 {
		t.Fatal("never read in parts")
	}
}

// A quiet server whose pages come in a new order on every request (as the
// user service v2 lists one bulk write's keys, contract section 4): every
// key is read, once, over every API and for both kinds of owner, 10,000
// keys among them.
func TestListReadsEveryKeyInAnyOrder(t *testing.T) {
	for _, api := range []string{APIV1, APIV2} {
		for _, user := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/user=%v", api, user), func(t *testing.T) {
				t.Parallel()
				h := startFake(t, fakezitadel.Options{ReorderLists: true})
				owner := OrgOwner(h.fx.OrgID)
				if user {
					owner = UserOwner(h.fx.OrgID, h.fx.UserID)
				}
				c := h.client(t, func(c *Config) { c.APIVersion = api })
				var want []KV
				for i := range 10000 {
					want = append(want, KV{fmt.Sprintf("k%05d", i), []byte("v")})
				}
				// Besides a few keys no shared prefix leads to.
				want = append(want, KV{"a", []byte("1")}, KV{"k1", []byte("2")}, KV{"zz", []byte("3")})
				if _, err := c.SetMetadata(context.Background(), owner, want); err != nil {
					t.Fatal(err)
				}
				got, err := c.ListMetadata(context.Background(), owner, nil)
				if err != nil {
					t.Fatal(err)
				}
				slices.SortFunc(want, func(a, b KV) int { return strings.Compare(a.Key, b.Key) })
				if len(got) != len(want) {
					t.Fatalf("read %d keys, want %d", len(got), len(want))
				}
				for i := range want {
					if got[i].Key != want[i].Key || string(got[i].Value) != string(want[i].Value) {
						t.Fatalf("entry %d: %q=%q, want %q=%q", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
					}
				}
				// Narrowed by a filter too.
				got, err = c.ListMetadata(context.Background(), owner, []KeyFilter{{Key: "k0", Method: StartsWith}})
				if err != nil || len(got) != 10000 {
					t.Fatalf("filtered: %d keys, %v", len(got), err)
				}
			})
		}
	}
}
