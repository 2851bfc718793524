package proxytest

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// Through the latency proxy a request and its answer take at least the
// round trip, bytes arrive unchanged and in order, and the connection
// closes as the backend's does.
func TestLatencyDelaysEachRoundTrip(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = echo.Close() }()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	const rtt = 60 * time.Millisecond
	p, err := StartLatency(echo.Addr().String(), rtt)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	r := bufio.NewReader(c)
	for i, msg := range []string{"one\n", "two\n", "three\n"} {
		start := time.Now()
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		got, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); got != msg || took < rtt {
			t.Fatalf("round trip %d: %q after %v, want %q after at least %v", i, got, took, msg, rtt)
		}
	}
	_ = echo.Close()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("the connection stayed open after the proxy closed")
	}
}
