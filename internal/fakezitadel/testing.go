package fakezitadel

import "testing"

// StartTest starts a fresh, populated fake on 127.0.0.1:0 for one test and
// stops it when the test ends.
func StartTest(t testing.TB, opts Options) (*Server, Fixture) {
	t.Helper()
	srv := New(opts)
	fx := srv.Populate()
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, fx
}
