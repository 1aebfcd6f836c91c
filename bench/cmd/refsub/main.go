// Command refsub is the drain benchmark's reference (docs/BENCHMARKS.md): the
// smallest autopaho subscriber that drains a persistent session fast, with
// the four settings that matter for paho.golang and nothing else:
//
//  1. buffered reads and 2. acks written together: the connection is
//     wrapped in broker.Conn (a 64 KiB read buffer; writes flushed when the
//     read buffer runs dry);
//  3. ConnectProperties.ReceiveMaximum 64;
//  4. GOMAXPROCS 1 and GC percent 400.
//
// broker.NewConn alone gives settings 1 and 2, and a close that lets the
// broker read the last acknowledgements (without it a drain ends before the
// broker has them, and they are lost), and nothing more: the packet ends
// hubtap's own connections add (broker/packetends.go) and hubtap's pinger
// (broker/pinger.go) are hubtap's, not the reference's, so the reference
// stays what a careful user of paho would write.
//
// It prints `topic payload` per message to a 64 KiB buffered stdout from
// paho's callback and exits after -C messages.
//
//	refsub -url mqtt://127.0.0.1:PORT -id ID -q 1 -C 1000000 'flespi/#'
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"hubtap/broker"
)

func main() {
	rawURL := flag.String("url", "mqtt://127.0.0.1:1883", "broker URL (mqtt://)")
	id := flag.String("id", "refsub", "client ID (a persistent session, expiry 1 h)")
	qos := flag.Int("q", 1, "subscription QoS")
	count := flag.Int("C", 0, "exit after this many messages (0: never)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "refsub:", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "refsub:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "refsub: give one topic filter")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	debug.SetGCPercent(400)
	u, err := url.Parse(*rawURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "refsub:", err)
		os.Exit(2)
	}
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	var (
		mu   sync.Mutex
		n    int
		done = make(chan struct{})
	)
	onPublish := func(pr paho.PublishReceived) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if *count > 0 && n >= *count {
			return true, nil
		}
		out.WriteString(pr.Packet.Topic)
		out.WriteByte(' ')
		out.Write(pr.Packet.Payload)
		out.WriteByte('\n')
		n++
		if *count > 0 && n == *count {
			close(done)
		}
		return true, nil
	}
	rm := uint16(64)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cm, err := autopaho.NewConnection(ctx, autopaho.ClientConfig{
		ServerUrls:            []*url.URL{u},
		KeepAlive:             60,
		SessionExpiryInterval: 3600,
		ConnectTimeout:        10 * time.Second,
		AttemptConnection: func(ctx context.Context, _ autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", u.Host)
			if err != nil {
				return nil, err
			}
			return broker.NewConn(c), nil
		},
		ConnectPacketBuilder: func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			if cp.Properties == nil {
				cp.Properties = &paho.ConnectProperties{}
			}
			cp.Properties.ReceiveMaximum = &rm
			return cp, nil
		},
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			go func() {
				_, err := cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: flag.Arg(0), QoS: byte(*qos)}}})
				if err != nil {
					fmt.Fprintln(os.Stderr, "refsub: subscribe:", err)
				}
			}()
		},
		ClientConfig: paho.ClientConfig{
			ClientID:          *id,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){onPublish},
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "refsub:", err)
		os.Exit(1)
	}
	select {
	case <-done:
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "refsub: timed out")
		os.Exit(1)
	}
	mu.Lock()
	err = out.Flush()
	mu.Unlock()
	dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer dcancel()
	_ = cm.Disconnect(dctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "refsub:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
