// goserver.go - the Go contender of `make bench`: one goroutine per
// connection, the same minimal HTTP as demos/httpd.c and
// demos/bench/epolld.c (demos/http.h), the same answer byte for byte.
//
// Why it is here.  Goroutines are the best-known way to write blocking code
// on top of an event loop, which is what unblock does for C: each connection
// is written as a plain loop of Read and Write, and the Go runtime parks the
// goroutine on its netpoller (epoll) whenever a call would block.  So this is
// the yardstick for "blocking code, event-loop costs" in another runtime.
//
// Why it is written this way.  It must be a fair contender, neither a straw
// man nor a different benchmark:
//   - no net/http and no bufio: net/http parses far more of HTTP, allocates
//     per request and answers with other bytes, so it would measure a
//     different server.  Each connection reads with conn.Read into one
//     fixed buffer of reqMax bytes, as httpd does on its stack and epolld
//     in its malloc'd connection, and answers each request with one
//     conn.Write of a constant slice: no allocation per request;
//   - choose() and answer() below are line-for-line ports of those in
//     demos/http.h, with the same refusals (400, 405, 431), the same
//     Connection handling, and an ASCII-only case folding, as strncasecmp
//     does in the C locale (strings.EqualFold would fold Unicode too);
//   - pipelined requests are answered in order from the buffer, and a
//     closing answer shuts the write side and drains input until EOF, as
//     linger_close() does in httpd, so that the kernel does not answer
//     unread data with RST and destroy the answer;
//   - TCP_NODELAY is Go's default for TCP, as httpd and epolld set it.  TCP
//     keep-alive, which Go turns on for accepted connections by default, is
//     turned off: the C servers do not use it, and its probes would show on
//     the wire while idle connections are held;
//   - the descriptor limit is raised to the hard limit, as the C servers do
//     (Go 1.19 also does this by itself; doing it here makes it explicit).
//
// Stopping.  SIGTERM or SIGINT closes the listener, which ends the accept
// loop.  Then, as in httpd, every live connection's read side is shut, so
// each goroutine answers what it has already read, sees EOF and closes; main
// waits for them at most 2 s, prints "served N requests on M connections"
// and exits 0 (any connection still open dies with the process).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const reqMax = 8192 // the longest request line plus headers

// The one answer, in its three forms, and the three refusals: the bytes of
// demos/http.h, which the load generators check.
const (
	head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	tail = "Content-Length: 6\r\n\r\nhello\n"
)

var (
	okKeep     = []byte(head + tail)
	okKeep10   = []byte(head + "Connection: keep-alive\r\n" + tail)
	okClose    = []byte(head + "Connection: close\r\n" + tail)
	badRequest = refuse("400 Bad Request", "", "bad request\n")
	badMethod  = refuse("405 Method Not Allowed", "Allow: GET\r\n",
		"only GET\n")
	tooLarge = refuse("431 Request Header Fields Too Large", "",
		"header too long\n")
)

// refuse builds a refusal; they all close the connection.
func refuse(status, extra, body string) []byte {
	return []byte("HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\n" +
		"Connection: close\r\n" + extra + "Content-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

var crlf = []byte("\r\n")
var crlfcrlf = []byte("\r\n\r\n")

// same compares a counted string with a literal, ignoring ASCII case only,
// as strncasecmp does in the C locale.
func same(s []byte, lit string) bool {
	if len(s) != len(lit) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], lit[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// hasToken: does a comma-separated header value hold token, in any case?
func hasToken(v []byte, token string) bool {
	i, n := 0, len(v)
	for i < n {
		for i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',') {
			i++
		}
		start := i
		for i < n && v[i] != ',' {
			i++
		}
		end := i
		for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
			end--
		}
		if same(v[start:end], token) {
			return true
		}
	}
	return false
}

// choose reads one request (ending in CRLF CRLF) and picks the answer; keep
// says whether the request asked to keep the connection open.  See answer()
// for the last word.
func choose(req []byte) (resp []byte, keep bool) {
	eol := bytes.Index(req, crlf) // found: req ends in CRLF CRLF
	sp1 := bytes.IndexByte(req[:eol], ' ')
	sp2 := -1
	if sp1 >= 0 {
		if i := bytes.IndexByte(req[sp1+1:eol], ' '); i >= 0 {
			sp2 = sp1 + 1 + i
		}
	}
	if sp1 <= 0 || sp2 < 0 || sp2 == sp1+1 {
		return badRequest, false
	}
	isGet := sp1 == 3 && string(req[:3]) == "GET"
	switch string(req[sp2+1 : eol]) {
	case "HTTP/1.1":
		keep = true
	case "HTTP/1.0":
	default:
		return badRequest, false
	}
	http10 := !keep

	// Header lines: "name: value" up to the empty line that ends the block.
	end := len(req) - 2
	for line := eol + 2; line < end; {
		next := line + bytes.Index(req[line:], crlf)
		colon := bytes.IndexByte(req[line:next], ':')
		if colon <= 0 {
			return badRequest, false
		}
		name, v := req[line:line+colon], req[line+colon+1:next]
		switch {
		case same(name, "Connection"):
			if hasToken(v, "close") {
				keep = false
			} else if hasToken(v, "keep-alive") {
				keep = true
			}
		case same(name, "Transfer-Encoding"):
			return badRequest, false // no request bodies here
		case same(name, "Content-Length"):
			for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
				v = v[1:]
			}
			for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
				v = v[:len(v)-1]
			}
			if !same(v, "0") {
				return badRequest, false
			}
		}
		line = next + 2
	}
	if !isGet {
		return badMethod, false
	}
	if !keep {
		return okClose, false
	}
	if http10 {
		return okKeep10, true
	}
	return okKeep, true
}

// answer is the answer to one request, and whether the connection stays
// open: every answer but the two keep-alive ones says "Connection: close".
func answer(req []byte) ([]byte, bool) {
	resp, keep := choose(req)
	if &resp[0] != &okKeep[0] && &resp[0] != &okKeep10[0] {
		keep = false
	}
	return resp, keep
}

// A connection's state, its request buffer included, is one allocation,
// as in epolld.  The buffer could live on the goroutine's stack instead,
// but Go zeroes a stack array, and the stack then doubles to 16 KiB for
// every connection: twice the memory of this, for idle connections, which
// touch only the first page of a buffer fresh from the heap.
type client struct {
	c   *net.TCPConn
	buf [reqMax]byte
}

// The live connections, for the drain, under live.Lock; done counts the
// goroutines still running.
var live struct {
	sync.Mutex
	conns    map[*client]struct{}
	stopping bool
}
var done sync.WaitGroup
var nRequests, nClosed atomic.Int64

// lingerClose: the server closes first.  Send FIN, then read and drop what
// the client still sends (up to 64 KiB, for at most 2 s) until its EOF.
// Closing with unread data would make the kernel send RST, which can destroy
// the answer before the client has read it.  buf is the request buffer,
// which is no longer needed.
func lingerClose(c *net.TCPConn, buf []byte) {
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for i := 0; i < 16; i++ {
		if _, err := c.Read(buf[:4096]); err != nil {
			break // EOF, reset or the deadline
		}
	}
}

// serve is one connection, start to finish: read, answer, repeat while
// kept alive.
func serve(cl *client) {
	c, buf := cl.c, &cl.buf
	live.Lock()
	live.conns[cl] = struct{}{}
	if live.stopping { // started after the drain went by
		c.CloseRead()
	}
	live.Unlock()

	have := 0
	for {
		end := bytes.Index(buf[:have], crlfcrlf)
		if end < 0 {
			if have == len(buf) {
				if _, err := c.Write(tooLarge); err == nil {
					lingerClose(c, buf[:])
				}
				break
			}
			n, _ := c.Read(buf[have:])
			if n <= 0 {
				break // EOF or reset: the client is gone
			}
			have += n
			continue
		}
		used := end + 4
		resp, keep := answer(buf[:used])
		if _, err := c.Write(resp); err != nil {
			break
		}
		nRequests.Add(1)
		if !keep {
			lingerClose(c, buf[:])
			break
		}
		have = copy(buf[:], buf[used:have]) // a pipelined next request
	}

	live.Lock()
	delete(live.conns, cl)
	live.Unlock()
	c.Close()
	nClosed.Add(1)
	done.Done()
}

// drain wakes every connection with EOF, then waits (at most 2 s) for
// them all to close.
func drain() {
	live.Lock()
	live.stopping = true
	for cl := range live.conns {
		cl.c.CloseRead()
	}
	live.Unlock()
	gone := make(chan struct{})
	go func() {
		done.Wait()
		close(gone)
	}()
	select {
	case <-gone:
	case <-time.After(2 * time.Second):
		live.Lock()
		fmt.Fprintf(os.Stderr,
			"goserver: %d connections still busy after 2 s\n",
			len(live.conns))
		live.Unlock()
	}
}

// portValue is the -p flag: a whole number in 0-65535.
type portValue int

func (p *portValue) String() string { return strconv.Itoa(int(*p)) }

func (p *portValue) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > 65535 {
		return errors.New("not a port number (0-65535)")
	}
	*p = portValue(v)
	return nil
}

func main() {
	port := portValue(8080)
	fs := flag.NewFlagSet("goserver", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // our own messages, naming the flag
	fs.Var(&port, "p", "port to listen on; 0 picks a free one")
	addr := fs.String("b", "127.0.0.1", "IPv4 or IPv6 address to bind")
	usage := func(why string) {
		fmt.Fprintf(os.Stderr, "goserver: %s\n", why)
		fmt.Fprintf(os.Stderr, "usage: goserver [-p PORT] [-b ADDR]\n"+
			"  -p PORT  port to listen on; 0 picks a free one "+
			"(default 8080)\n"+
			"  -b ADDR  IPv4 or IPv6 address to bind (default "+
			"127.0.0.1)\n")
		os.Exit(2)
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			usage("help requested")
		}
		usage(err.Error())
	}
	if fs.NArg() > 0 {
		usage("unexpected argument " + fs.Arg(0))
	}
	if net.ParseIP(*addr) == nil {
		fmt.Fprintf(os.Stderr,
			"goserver: -b: not an IPv4 or IPv6 address: %s\n", *addr)
		os.Exit(2)
	}

	// One descriptor per connection: take all the kernel allows.
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil &&
		rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}

	// Go sets SO_REUSEADDR and listens with the kernel's somaxconn.
	lc := net.ListenConfig{KeepAlive: -1}
	hostport := net.JoinHostPort(*addr, strconv.Itoa(int(port)))
	l, err := lc.Listen(context.Background(), "tcp", hostport)
	if err != nil {
		fmt.Fprintf(os.Stderr, "goserver: cannot listen on %s port %d: %v\n",
			*addr, int(port), err)
		os.Exit(1)
	}
	ln := l.(*net.TCPListener)
	fmt.Printf("listening on %d\n", ln.Addr().(*net.TCPAddr).Port)

	var stopping atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		stopping.Store(true)
		ln.Close() // Accept returns at once
	}()

	live.conns = make(map[*client]struct{})
	said := false
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if stopping.Load() || errors.Is(err, net.ErrClosed) {
				break
			}
			if errors.Is(err, syscall.EMFILE) ||
				errors.Is(err, syscall.ENFILE) ||
				errors.Is(err, syscall.ENOBUFS) ||
				errors.Is(err, syscall.ENOMEM) {
				// Out of descriptors: say so once, back off 10 ms, let
				// closes catch up.
				if !said {
					said = true
					fmt.Fprintf(os.Stderr, "goserver: %v (retrying)\n", err)
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			fmt.Fprintf(os.Stderr, "goserver: %v\n", err)
			os.Exit(1)
		}
		done.Add(1)
		go serve(&client{c: c})
	}
	drain()
	fmt.Printf("served %d requests on %d connections\n", nRequests.Load(),
		nClosed.Load())
}
