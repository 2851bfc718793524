package zitadel

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds how transient failures are retried: exponential backoff
// with full jitter, at most MaxAttempts tries and MaxElapsed in all.
type RetryPolicy struct {
	MaxAttempts    int
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	MaxElapsed     time.Duration
	// Sleep waits d or until ctx ends; tests pass a fake. Nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0,1); nil: math/rand.
	Jitter func() float64
	// Now is the clock MaxElapsed is measured on; nil: time.Now.
	Now func() time.Time
}

// DefaultRetryTimeout is how long one call is retried unless configured
// otherwise (the provider's retry_timeout).
const DefaultRetryTimeout = time.Minute

// UnreachableTimeout bounds the retries of a server that was never reached:
// a wrong address should fail in seconds, not after retry_timeout.
const UnreachableTimeout = 10 * time.Second

// DefaultRetryPolicy is what the provider uses unless configured otherwise.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:    30,
		InitialBackoff: 250 * time.Millisecond,
		MaxBackoff:     10 * time.Second,
		MaxElapsed:     DefaultRetryTimeout,
	}
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff returns the wait before attempt n+1 (n counts from 1).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.InitialBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	if d > p.MaxBackoff {
		d = p.MaxBackoff
	}
	j := rand.Float64
	if p.Jitter != nil {
		j = p.Jitter
	}
	// Half fixed, half random: never zero, never in lock-step with others.
	return d/2 + time.Duration(j()*float64(d/2))
}

// retryable says whether a failed call may be tried again. Reads also retry
// on DeadlineExceeded from the server; writes do not, since the write may
// have landed.
func retryable(e *Error, read bool) bool {
	switch e.Kind {
	case KindTransient, KindUnreachable:
		return true
	case KindTimeout:
		return read
	}
	return false
}

// ended is ctx.Err(), or DeadlineExceeded once ctx's deadline has passed:
// a call can see its deadline pass (gRPC measures it on its own) a moment
// before the context's timer sets ctx.Err().
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// do runs call until it succeeds, fails for good, or the policy or ctx ends.
func (p RetryPolicy) do(ctx context.Context, method, orgID string, read bool, call func(context.Context) error) error {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	attempts := p.MaxAttempts
	if attempts < 1 {
		attempts = 1
	}
	for n := 1; ; n++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		e := classify(method, orgID, err)
		e.Attempts = n
		if err := ended(ctx); err != nil {
			// The caller's deadline or cancellation, not the server's.
			e.Kind = contextKind(err)
			return e
		}
		if !retryable(e, read) || n >= attempts {
			return e
		}
		wait := p.backoff(n)
		budget := p.MaxElapsed
		if neverAnswered(e.Kind) && (budget <= 0 || budget > UnreachableTimeout) {
			budget = UnreachableTimeout
		}
		if budget > 0 && now().Sub(start)+wait > budget {
			return e
		}
		if err := p.sleep(ctx, wait); err != nil {
			e.Kind = contextKind(err)
			return e
		}
	}
}

// neverAnswered tells the kinds of a server that has not answered this
// process yet: retried only briefly, as the address or the path to it is
// more likely wrong than the server down.
func neverAnswered(k Kind) bool {
	return k == KindUnreachable
}

// contextKind is the kind for a context that ended.
func contextKind(err error) Kind {
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout
	}
	return KindCanceled
}
