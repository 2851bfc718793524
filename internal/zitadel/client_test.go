package zitadel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/fakezitadel"
)

// answer is ZITADEL's answer as a transport reports it: code, message and
// the error id of its detail ("" without one).
func answer(code codes.Code, msg, id string) error {
	return answerError("M", "o", code, msg, id)
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		kind Kind
		code codes.Code
		id   string
	}{
		{"membership is not a missing object", answer(codes.NotFound, "membership not found (AUTHZ-cdgFk)", "AUTHZ-cdgFk"), KindNoMembership, codes.NotFound, "AUTHZ-cdgFk"},
		{"missing keys", answer(codes.NotFound, "One or more keys do not exist (META-2npds)", "META-2npds"), KindKeysMissing, codes.NotFound, "META-2npds"},
		{"no permission", answer(codes.PermissionDenied, "No matching permissions found (AUTH-5mWD2)", "AUTH-5mWD2"), KindPermissionDenied, codes.PermissionDenied, "AUTH-5mWD2"},
		{"org never existed", answer(codes.PermissionDenied, "Organisation doesn't exist (AUTH-Bs7Ds)", "AUTH-Bs7Ds"), KindOrgNotFound, codes.PermissionDenied, "AUTH-Bs7Ds"},
		{"org removed", answer(codes.FailedPrecondition, "Organisation not found (COMMAND-QXPGs)", "COMMAND-QXPGs"), KindOrgNotFound, codes.FailedPrecondition, "COMMAND-QXPGs"},
		{"id read from the message without a detail", answer(codes.NotFound, "membership not found (AUTHZ-cdgFk)", ""), KindNoMembership, codes.NotFound, "AUTHZ-cdgFk"},
		{"Unknown wrapping InvalidArgument is bad input", answer(codes.Unknown, "rpc error: code = InvalidArgument desc = invalid SetOrgMetadataRequest.Key: value length must be between 1 and 200 runes, inclusive ()", ""), KindInvalidInput, codes.InvalidArgument, ""},
		{"Unknown wrapping auth header missing", answer(codes.Unknown, "rpc error: code = Unauthenticated desc = auth header missing ()", ""), KindUnauthenticated, codes.Unauthenticated, ""},
		{"write conflict is transient", answer(codes.Unknown, fakezitadel.WriteConflictMessage, ""), KindTransient, codes.Unknown, ""},
		{"other Unknown is not", answer(codes.Unknown, "boom", ""), KindOther, codes.Unknown, ""},
		{"unavailable", answer(codes.Unavailable, "down", ""), KindTransient, codes.Unavailable, ""},
		{"rate limited", answer(codes.ResourceExhausted, "quota", ""), KindTransient, codes.ResourceExhausted, ""},
		{"deadline", answer(codes.DeadlineExceeded, "slow", ""), KindTimeout, codes.DeadlineExceeded, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := classify("M", "o", c.err)
			if e.Kind != c.kind || e.Code != c.code || e.ID != c.id {
				t.Fatalf("got kind %d code %s id %q, want kind %d code %s id %q", e.Kind, e.Code, e.ID, c.kind, c.code, c.id)
			}
		})
	}
}

// recordingSleep counts waits without waiting.
type recordingSleep struct{ waits []time.Duration }

func (r *recordingSleep) sleep(ctx context.Context, d time.Duration) error {
	r.waits = append(r.waits, d)
	return ctx.Err()
}

func testPolicy(rs *recordingSleep) RetryPolicy {
	p := DefaultRetryPolicy()
	p.Sleep = rs.sleep
	p.Jitter = func() float64 { return 0.5 }
	return p
}

func TestRetry(t *testing.T) {
	failing := func(n int, err error) (func(context.Context) error, *int) {
		calls := 0
		return func(context.Context) error {
			calls++
			if calls <= n {
				return err
			}
			return nil
		}, &calls
	}
	t.Run("transient errors are retried with growing waits", func(t *testing.T) {
		rs := &recordingSleep{}
		call, calls := failing(3, answer(codes.Unavailable, "down", ""))
		if err := testPolicy(rs).do(context.Background(), "M", "", false, call); err != nil {
			t.Fatal(err)
		}
		if *calls != 4 || len(rs.waits) != 3 || rs.waits[0] >= rs.waits[1] || rs.waits[1] >= rs.waits[2] {
			t.Fatalf("calls %d waits %v", *calls, rs.waits)
		}
	})
	t.Run("the write conflict is retried", func(t *testing.T) {
		call, calls := failing(2, answer(codes.Unknown, fakezitadel.WriteConflictMessage, ""))
		if err := testPolicy(&recordingSleep{}).do(context.Background(), "M", "", false, call); err != nil || *calls != 3 {
			t.Fatalf("err %v calls %d", err, *calls)
		}
	})
	for _, code := range []codes.Code{codes.InvalidArgument, codes.PermissionDenied, codes.NotFound, codes.FailedPrecondition} {
		t.Run("never retries "+code.String(), func(t *testing.T) {
			call, calls := failing(5, answer(code, "no", ""))
			err := testPolicy(&recordingSleep{}).do(context.Background(), "M", "", true, call)
			if err == nil || *calls != 1 {
				t.Fatalf("err %v calls %d", err, *calls)
			}
		})
	}
	t.Run("deadline exceeded is retried on reads only", func(t *testing.T) {
		call, calls := failing(1, answer(codes.DeadlineExceeded, "slow", ""))
		if err := testPolicy(&recordingSleep{}).do(context.Background(), "M", "", true, call); err != nil || *calls != 2 {
			t.Fatalf("read: err %v calls %d", err, *calls)
		}
		call, calls = failing(1, answer(codes.DeadlineExceeded, "slow", ""))
		if err := testPolicy(&recordingSleep{}).do(context.Background(), "M", "", false, call); err == nil || *calls != 1 {
			t.Fatalf("write: err %v calls %d", err, *calls)
		}
	})
	t.Run("attempts are bounded", func(t *testing.T) {
		call, calls := failing(100, answer(codes.Unavailable, "down", ""))
		p := testPolicy(&recordingSleep{})
		err := p.do(context.Background(), "M", "", false, call)
		var ze *Error
		if !errors.As(err, &ze) || ze.Attempts != p.MaxAttempts || *calls != p.MaxAttempts || ze.Kind != KindTransient {
			t.Fatalf("err %v calls %d", err, *calls)
		}
	})
	t.Run("total time is bounded", func(t *testing.T) {
		call, calls := failing(100, answer(codes.Unavailable, "down", ""))
		// A fake clock that the fake sleep advances.
		clock := time.Unix(0, 0)
		p := DefaultRetryPolicy()
		p.Jitter = func() float64 { return 0.5 }
		p.Now = func() time.Time { return clock }
		p.Sleep = func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
		p.InitialBackoff, p.MaxBackoff, p.MaxElapsed = 100*time.Millisecond, time.Second, 2*time.Second
		if err := p.do(context.Background(), "M", "", false, call); !IsKind(err, KindTransient) {
			t.Fatalf("got %v", err)
		}
		// Waits of 75, 150, 300, 600 and 750 ms (capped) make 1.875 s; one
		// more 750 ms would pass 2 s: six attempts, the budget never overrun.
		if *calls != 6 || clock.Sub(time.Unix(0, 0)) > p.MaxElapsed {
			t.Fatalf("%d calls, %s slept", *calls, clock.Sub(time.Unix(0, 0)))
		}
	})
	t.Run("cancellation stops waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		call, _ := failing(100, answer(codes.Unavailable, "down", ""))
		p := DefaultRetryPolicy()
		p.InitialBackoff = time.Hour
		err := p.do(ctx, "M", "", false, call)
		if !IsKind(err, KindCanceled) {
			t.Fatalf("got %v", err)
		}
	})
}

// Chunk splits items with fit, as the engine does request by request: into consecutive runs whose sizes add up to at most
// limit each; an item larger than limit gets a run of its own.
func Chunk[T any](items []T, limit int, size func(T) int) [][]T {
	var out [][]T
	for len(items) > 0 {
		n := fit(items, limit, size)
		out = append(out, items[:n])
		items = items[n:]
	}
	return out
}

func TestChunk(t *testing.T) {
	size := func(n int) int { return n }
	cases := []struct {
		items []int
		limit int
		want  string
	}{
		{nil, 10, "[]"},
		{[]int{3, 3, 3, 3}, 6, "[[3 3] [3 3]]"},
		{[]int{3, 3, 3}, 10, "[[3 3 3]]"},
		{[]int{12, 1, 1}, 10, "[[12] [1 1]]"},
		{[]int{1, 12, 1}, 10, "[[1] [12] [1]]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(Chunk(c.items, c.limit, size)); got != c.want {
			t.Errorf("Chunk(%v, %d) = %s, want %s", c.items, c.limit, got, c.want)
		}
	}
}

func TestEntrySizeMatchesTheWire(t *testing.T) {
	// Chunks must never exceed the server's 4 MiB cap: the sizes the client
	// adds up are what the encoded requests measure.
	keys := []string{"k", "ä-key", strings.Repeat("x", 200)}
	values := [][]byte{{1}, make([]byte, 300), make([]byte, 200000)}
	set := &management.BulkSetOrgMetadataRequest{}
	remove := &management.BulkRemoveOrgMetadataRequest{}
	wantSet, wantRemove := 0, 0
	for i, k := range keys {
		set.Metadata = append(set.Metadata, &management.BulkSetOrgMetadataRequest_Metadata{Key: k, Value: values[i]})
		remove.Keys = append(remove.Keys, k)
		wantSet += (&grpcTransport{}).entrySize(k, values[i])
		wantRemove += (&grpcTransport{}).keySize(k)
	}
	if got := proto.Size(set); got != wantSet {
		t.Errorf("a BulkSet request encodes to %d bytes, the client counts %d", got, wantSet)
	}
	if got := proto.Size(remove); got != wantRemove {
		t.Errorf("a BulkRemove request encodes to %d bytes, the client counts %d", got, wantRemove)
	}
}

func TestParseKeyFile(t *testing.T) {
	srv := fakezitadel.New(fakezitadel.Options{})
	fx := srv.Populate()
	good, err := srv.AddServiceAccountKey(fx.OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKeyFile(good); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"not json":   "nope",
		"no key":     `{"keyId":"1","userId":"2"}`,
		"not pem":    `{"keyId":"1","userId":"2","key":"abc"}`,
		"bad pem":    `{"keyId":"1","userId":"2","key":"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"}`,
		"no user id": `{"keyId":"1","key":"x"}`,
	} {
		_, err := ParseKeyFile([]byte(in))
		if err == nil || strings.Contains(err.Error(), "AAAA") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRenewAt(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for lifetime, want := range map[time.Duration]time.Duration{
		12 * time.Hour:   12*time.Hour - refreshMargin,
		2 * time.Minute:  90 * time.Second,
		40 * time.Second: 30 * time.Second,
	} {
		if got := renewAt(now, lifetime).Sub(now); got != want {
			t.Errorf("a token valid for %s is renewed after %s, want %s", lifetime, got, want)
		}
	}
}
