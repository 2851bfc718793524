package proxytest

import (
	"net"
	"sync"
	"time"
)

// Latency is a TCP proxy on 127.0.0.1 that holds every byte for half a
// round trip in each direction, as a network rtt away would: a request and
// its answer take rtt more, and so do connection setup and TLS. Bytes in
// flight are not serialized: what the client sends while earlier bytes wait
// leaves rtt/2 after it was sent, so concurrent calls on one connection
// overlap as on a real link. gRPC and REST pass alike.
type Latency struct {
	ln      net.Listener
	backend string
	half    time.Duration
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
}

// StartLatency starts a latency proxy in front of backend (host:port).
func StartLatency(backend string, rtt time.Duration) (*Latency, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Latency{ln: ln, backend: backend, half: rtt / 2, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is where clients connect: host:port.
func (p *Latency) Addr() string { return p.ln.Addr().String() }

// Close stops accepting, cuts the open connections and waits for them.
func (p *Latency) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Latency) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *Latency) serve() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			// The dial is a round trip too.
			time.Sleep(2 * p.half)
			server, err := net.Dial("tcp", p.backend)
			if err != nil {
				_ = client.Close()
				return
			}
			p.track(client, true)
			p.track(server, true)
			var both sync.WaitGroup
			both.Add(2)
			go func() { defer both.Done(); p.pipe(server, client) }()
			go func() { defer both.Done(); p.pipe(client, server) }()
			both.Wait()
			p.track(client, false)
			p.track(server, false)
			_ = client.Close()
			_ = server.Close()
		}()
	}
}

// chunk is bytes read at a time.
type chunk struct {
	data []byte
	at   time.Time
}

// pipe copies src to dst, each chunk half a round trip after it was read;
// at src's end it closes dst for writing.
func (p *Latency) pipe(dst, src net.Conn) {
	queue := make(chan chunk, 1024)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{buf[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range queue {
		if failed {
			continue // drain, so the reader ends
		}
		time.Sleep(time.Until(c.at.Add(p.half)))
		if _, err := dst.Write(c.data); err != nil {
			failed = true
			_ = src.Close()
		}
	}
	if tcp, ok := dst.(*net.TCPConn); ok && !failed {
		_ = tcp.CloseWrite()
	} else {
		_ = dst.Close()
	}
}
