package fakezitadel_test

// Contract tests for ListOrgMetadata beyond contract_test.go: request
// validation of the queries over gRPC, and Options.ShuffleLists (the real
// server guarantees no order).

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	mdpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// TestListQueryValidation: a method number outside the enum and a query
// without its oneof fail request validation: InvalidArgument without a
// ZITADEL error id, or Unknown wrapping it with the quirk.
func TestListQueryValidation(t *testing.T) {
	valid := keyQuery("k", object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS)
	cases := []struct {
		name    string
		queries []*mdpb.MetadataQuery
		msg     string
	}{
		{"method outside the enum", []*mdpb.MetadataQuery{keyQuery("k", 99)},
			"invalid ListOrgMetadataRequest.Queries[0]: embedded message failed validation | caused by: invalid MetadataQuery.KeyQuery: embedded message failed validation | caused by: invalid MetadataKeyQuery.Method: value must be one of the defined enum values"},
		{"query oneof unset", []*mdpb.MetadataQuery{valid, {}},
			"invalid ListOrgMetadataRequest.Queries[1]: embedded message failed validation | caused by: invalid MetadataQuery.Query: value is required"},
	}
	plain := start(t, fakezitadel.Options{})
	quirky := start(t, fakezitadel.Options{UnknownWrapQuirk: true})
	for _, c := range cases {
		req := &management.ListOrgMetadataRequest{Queries: c.queries}
		_, err := plain.mc.ListOrgMetadata(plain.owner(), req)
		wantErr(t, err, codes.InvalidArgument, c.msg, "")
		_, err = quirky.mc.ListOrgMetadata(quirky.owner(), req)
		wantErr(t, err, codes.Unknown, "rpc error: code = InvalidArgument desc = "+c.msg+" ()", "")
	}
	// Every method of the enum passes.
	for m := range object.TextQueryMethod_name {
		list(t, plain, 0, 0, keyQuery("k", object.TextQueryMethod(m)))
	}
}

func listedKeys(resp *management.ListOrgMetadataResponse) []string {
	return itemKeys(resp.GetResult())
}

// startShuffled starts a fake with ShuffleLists and keys key00 to key49.
func startShuffled(t *testing.T) (*env, []string) {
	t.Helper()
	e := start(t, fakezitadel.Options{ShuffleLists: true})
	var keys []string
	for i := range 50 {
		k := fmt.Sprintf("key%02d", i)
		keys = append(keys, k)
		e.srv.SetMetadata(e.fx.OrgID, k, []byte("v"))
	}
	return e, keys
}

// sameKeys tells whether got holds exactly the keys of want (sorted), each
// once.
func sameKeys(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), want)
}

func TestShuffleListsOrder(t *testing.T) {
	e, keys := startShuffled(t)
	all := listedKeys(list(t, e, 0, 0))
	if slices.IsSorted(all) {
		t.Fatalf("list is sorted: %v", all)
	}
	if !sameKeys(all, keys) {
		t.Fatalf("list %v, want every key exactly once", all)
	}
	if again := listedKeys(list(t, e, 0, 0)); !slices.Equal(again, all) {
		t.Fatalf("two calls disagree:\n%v\n%v", all, again)
	}
	// Offset paging walks that same order; every page counts all rows.
	var paged []string
	for off := uint64(0); off < 50; off += 7 {
		page := list(t, e, off, 7)
		if page.GetDetails().GetTotalResult() != 50 {
			t.Fatalf("page at %d: total %d, want 50", off, page.GetDetails().GetTotalResult())
		}
		paged = append(paged, listedKeys(page)...)
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("pages of 7 %v, want %v", paged, all)
	}
	// As in a database, a key keeps its place when another goes.
	e.srv.DeleteMetadata(e.fx.OrgID, all[3])
	if got, want := listedKeys(list(t, e, 0, 0)), slices.Delete(slices.Clone(all), 3, 4); !slices.Equal(got, want) {
		t.Fatalf("after removing %s: %v, want %v", all[3], got, want)
	}
	// Each server has its own order, so no client can come to depend on one.
	other, _ := startShuffled(t)
	if slices.Equal(listedKeys(list(t, other, 0, 0)), all) {
		t.Fatal("two servers list in the same order")
	}
}

func TestShuffleListsFilters(t *testing.T) {
	e, _ := startShuffled(t)
	resp := list(t, e, 0, 0, keyQuery("key1", object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH))
	want := []string{"key10", "key11", "key12", "key13", "key14", "key15", "key16", "key17", "key18", "key19"}
	if got := listedKeys(resp); !sameKeys(got, want) || resp.GetDetails().GetTotalResult() != 10 {
		t.Fatalf("STARTS_WITH key1: %v total %d, want %v and 10", got, resp.GetDetails().GetTotalResult(), want)
	}
	page := list(t, e, 8, 5, keyQuery("key1", object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH))
	if got := listedKeys(page); !slices.Equal(got, listedKeys(resp)[8:]) || page.GetDetails().GetTotalResult() != 10 {
		t.Fatalf("filtered page at 8: %v total %d", got, page.GetDetails().GetTotalResult())
	}
}

func TestSearchesCountFirstPages(t *testing.T) {
	e, _ := startShuffled(t)
	e.srv.ResetCalls()
	for off := uint64(0); off < 50; off += 20 { // one search of three pages
		list(t, e, off, 20)
	}
	list(t, e, 0, 0) // and one of a single page
	if pages, searches := e.srv.Calls("ListOrgMetadata"), e.srv.Searches(); pages != 4 || searches != 2 {
		t.Fatalf("%d pages in %d searches, want 4 in 2", pages, searches)
	}
	e.srv.ResetCalls()
	if n := e.srv.Searches(); n != 0 {
		t.Fatalf("ResetCalls left %d searches", n)
	}
}
