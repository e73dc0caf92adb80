// Package frontiertest starts a real redis-server for tests of the frontier and of everything
// built on it: a private server on a free loopback port with its own data directory, killed when
// the test ends.
package frontiertest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Options choose how the server keeps its data.
type Options struct {
	// AOF turns on the append-only file with an fsync after every write, so a server killed
	// with SIGKILL and restarted has every acknowledged write. Without it the server keeps
	// nothing on disk.
	AOF bool
	// Password, if set, is required from every client (requirepass).
	Password string
}

// Server is one redis-server process.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	opts Options
	cmd  *exec.Cmd
	exit chan struct{}
}

// Binary returns the redis-server to run: $FHI_REDIS_SERVER, or redis-server on the PATH.
func Binary() (string, error) {
	if b := os.Getenv("FHI_REDIS_SERVER"); b != "" {
		return b, nil
	}
	return exec.LookPath("redis-server")
}

// Start runs a redis-server for t and stops it when t ends. It skips t, saying how to install the
// server, only when redis-server is not installed; any other failure fails t.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Skipf("redis-server is not installed (Debian: apt-get install -y redis-server; or set FHI_REDIS_SERVER): %v", err)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), opts: opts}
	var lastErr error
	for range 5 { // a free port can be taken between choosing it and the server binding it
		if s.port, err = freePort(); err != nil {
			t.Fatalf("choosing a port for redis-server: %v", err)
		}
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.stop)
			return s
		}
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

// URL is the server's address as a redis:// URL, with the password if one is set.
func (s *Server) URL() string {
	if s.opts.Password != "" {
		return fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", s.opts.Password, s.port)
	}
	return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port)
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir is the server's data directory.
func (s *Server) Dir() string { return s.dir }

// Kill ends the server with SIGKILL, as a crash would: nothing is flushed.
func (s *Server) Kill() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exit
	s.cmd = nil
}

// Restart starts the server again on the same port and data directory (after Kill), so it
// reloads its append-only file.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	var err error
	for range 50 { // the old socket may linger for a moment
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("restarting redis-server on port %d: %v", s.port, err)
}

func (s *Server) start() error {
	args := []string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--daemonize", "no", "--logfile", filepath.Join(s.dir, "redis.log"),
	}
	if s.opts.AOF {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	if s.opts.Password != "" {
		args = append(args, "--requirepass", s.opts.Password)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // no server outlives a killed test binary
	if err := cmd.Start(); err != nil {
		return err
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exit) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exit:
			return fmt.Errorf("redis-server exited at start: %s", s.logTail())
		default:
		}
		if ready(s.Addr()) {
			s.cmd, s.exit = cmd, exit
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-exit
	return fmt.Errorf("redis-server not answering on %s after 10s: %s", s.Addr(), s.logTail())
}

func (s *Server) stop() {
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.exit
		s.cmd = nil
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// ready reports whether a server answers PING on addr and has finished loading its data (a
// server still loading its AOF answers -LOADING; one needing a password answers -NOAUTH, which
// comes only once loading is done).
func ready(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return false
	}
	return strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
