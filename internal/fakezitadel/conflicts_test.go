package fakezitadel_test

// Contract tests for Options.WriteConflicts: concurrent writes to one
// organization collide as in ZITADEL's event store (contract: "Concurrent
// writes to one organization").

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// conflictWindow is far longer than two calls released together need to
// reach the server, so calls released by concurrently always overlap.
const conflictWindow = 500 * time.Millisecond

// concurrently runs the calls released at once by a barrier and returns
// their errors in order.
func concurrently(calls ...func() error) []error {
	start := make(chan struct{})
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = call()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// startConflicting starts a fake with WriteConflicts and a connection that
// is already up, so no call of a test waits for the dial.
func startConflicting(t *testing.T, on bool) *env {
	t.Helper()
	e := start(t, fakezitadel.Options{WriteConflicts: on, WriteWindow: conflictWindow})
	if _, err := e.mc.ListOrgMetadata(e.owner(), &management.ListOrgMetadataRequest{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// winner checks that exactly one of two concurrent writes failed, with the
// event store's conflict, and returns the index of the other.
func winner(t *testing.T, errs []error) int {
	t.Helper()
	switch {
	case errs[0] == nil && errs[1] != nil:
		wantErr(t, errs[1], codes.Unknown, fakezitadel.WriteConflictMessage, "")
		return 0
	case errs[1] == nil && errs[0] != nil:
		wantErr(t, errs[0], codes.Unknown, fakezitadel.WriteConflictMessage, "")
		return 1
	}
	t.Fatalf("errors %v, want exactly one write conflict", errs)
	return -1
}

// TestWriteConflictEveryWriteCall runs two writes of each metadata write call
// into one organization at once: one wins, the other fails and writes
// nothing.
func TestWriteConflictEveryWriteCall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		write func(e *env, key string) error
		// removes: the call removes its key (which exists before), else it
		// writes a new one.
		removes bool
	}{
		{"SetOrgMetadata", func(e *env, key string) error {
			_, err := e.mc.SetOrgMetadata(e.owner(), &management.SetOrgMetadataRequest{Key: key, Value: []byte("v")})
			return err
		}, false},
		{"BulkSetOrgMetadata", func(e *env, key string) error {
			_, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk(key, "v"))
			return err
		}, false},
		{"RemoveOrgMetadata", func(e *env, key string) error {
			_, err := e.mc.RemoveOrgMetadata(e.owner(), &management.RemoveOrgMetadataRequest{Key: key})
			return err
		}, true},
		{"BulkRemoveOrgMetadata", func(e *env, key string) error {
			_, err := e.mc.BulkRemoveOrgMetadata(e.owner(), &management.BulkRemoveOrgMetadataRequest{Keys: []string{key}})
			return err
		}, true},
	}
	keys := []string{"k0", "k1"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startConflicting(t, true)
			if c.removes {
				for _, k := range keys {
					e.srv.SetMetadata(e.fx.OrgID, k, []byte("v"))
				}
			}
			before := e.srv.Sequence(e.fx.OrgID)
			errs := concurrently(func() error { return c.write(e, keys[0]) }, func() error { return c.write(e, keys[1]) })
			won := winner(t, errs)
			md := e.srv.Metadata(e.fx.OrgID)
			for i, k := range keys {
				_, present := md[k]
				if applied := present != c.removes; applied != (i == won) {
					t.Fatalf("metadata %v: want the effect of the write of %s only", md, keys[won])
				}
			}
			if got := e.srv.Sequence(e.fx.OrgID) - before; got != 1 {
				t.Fatalf("%d events, want the winner's 1", got)
			}
			if got := e.srv.WriteConflicts(); got != 1 {
				t.Fatalf("WriteConflicts() = %d, want 1", got)
			}
			// The winner released the organization: the loser's retry goes through.
			if err := c.write(e, keys[1-won]); err != nil {
				t.Fatalf("retry after the conflict: %v", err)
			}
		})
	}
}

// TestWriteConflictBulkSet is the case the contract saw most: two
// BulkSetOrgMetadata calls into one organization. Request validation and
// authorization still answer first, even while a write is in flight, and
// neither claims the organization.
func TestWriteConflictBulkSet(t *testing.T) {
	t.Parallel()
	e := startConflicting(t, true)
	invalid := &management.BulkSetOrgMetadataRequest{Metadata: []*management.BulkSetOrgMetadataRequest_Metadata{{Key: "bad"}}}
	errs := concurrently(
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("a1", "1", "a2", "2")); return err },
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("b1", "1", "b2", "2")); return err },
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), invalid); return err },
		func() error {
			_, err := e.mc.BulkSetOrgMetadata(as(e.fx.ViewerToken, e.fx.OrgID), bulk("c", "1"))
			return err
		},
	)
	won := winner(t, errs[:2])
	wantErr(t, errs[2], codes.InvalidArgument, "invalid BulkSetOrgMetadataRequest.Metadata[0]: embedded message failed validation | caused by: invalid BulkSetOrgMetadataRequest_Metadata.Value: value length must be between 1 and 500000 bytes, inclusive", "")
	wantErr(t, errs[3], codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2")
	want := [][]string{{"a1", "a2"}, {"b1", "b2"}}[won]
	if got := e.srv.Keys(e.fx.OrgID); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("keys %v, want only the winner's %v", got, want)
	}
	if got := e.srv.WriteConflicts(); got != 1 {
		t.Fatalf("WriteConflicts() = %d, want 1", got)
	}
	e.srv.ResetCalls()
	if got := e.srv.WriteConflicts(); got != 0 {
		t.Fatalf("WriteConflicts() after ResetCalls = %d, want 0", got)
	}
}

func TestWriteConflictsOnlyWithinOneOrganization(t *testing.T) {
	t.Parallel()
	e := startConflicting(t, true)
	errs := concurrently(
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("k", "1")); return err },
		func() error {
			_, err := e.mc.BulkSetOrgMetadata(as(e.fx.OwnerToken, e.fx.SecondOrgID), bulk("k", "2"))
			return err
		},
	)
	if errs[0] != nil || errs[1] != nil || e.srv.WriteConflicts() != 0 {
		t.Fatalf("writes to two organizations: %v, %d conflicts; want both to succeed", errs, e.srv.WriteConflicts())
	}
}

func TestWriteConflictsOffByDefault(t *testing.T) {
	t.Parallel()
	e := startConflicting(t, false)
	errs := concurrently(
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("a", "1")); return err },
		func() error { _, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("b", "2")); return err },
	)
	if errs[0] != nil || errs[1] != nil || len(e.srv.Metadata(e.fx.OrgID)) != 2 {
		t.Fatalf("without WriteConflicts: %v, keys %v; want both written", errs, e.srv.Keys(e.fx.OrgID))
	}
}

// TestWriteConflictReleasedOnFailure: a write that fails after claiming its
// organization (here: removed) releases it, so the next write answers the
// same error rather than a conflict.
func TestWriteConflictReleasedOnFailure(t *testing.T) {
	t.Parallel()
	e := startConflicting(t, true)
	ctx := as(e.fx.AdminToken, e.fx.SecondOrgID) // an instance owner: its access outlives the organization
	if err := e.srv.RemoveOrganization(e.fx.SecondOrgID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := e.mc.BulkSetOrgMetadata(ctx, bulk("k", "v"))
		wantErr(t, err, codes.FailedPrecondition, "Organisation not found (COMMAND-QXPGs)", "COMMAND-QXPGs")
	}
	// A caller that gives up in the window releases it too.
	short, cancel := context.WithTimeout(e.owner(), conflictWindow/10)
	defer cancel()
	if _, err := e.mc.BulkSetOrgMetadata(short, bulk("k", "v")); err == nil {
		t.Fatal("a write outlived its caller's deadline")
	}
	deadline := time.Now().Add(10 * conflictWindow)
	for {
		_, err := e.mc.BulkSetOrgMetadata(e.owner(), bulk("k", "v"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the organization stayed claimed after its caller gave up: %v", err)
		}
		time.Sleep(conflictWindow / 50)
	}
}
