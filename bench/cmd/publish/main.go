// Command publish fills a broker for the drain benchmark (docs/BENCHMARKS.md).
//
//	publish -url mqtt://127.0.0.1:PORT -prime ID1,ID2 -topic 'bench/#'
//	publish -url mqtt://127.0.0.1:PORT -n 200000
//
// -prime creates a persistent session (session expiry 1 h, a -qos
// subscription to -topic) for each client ID and disconnects, so the broker
// queues what is published next for each of them. Without -prime it
// publishes -n flespi-like device messages of about 550 bytes at QoS 1 to
// flespi/message/gw/channels/{cid}/{ident}, with the timestamp and cid user
// properties flespi adds to every PUBLISH (-props=false leaves them out),
// and returns once the broker has acknowledged every one.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"hubtap/bench"
)

func main() {
	rawURL := flag.String("url", "mqtt://127.0.0.1:1883", "broker URL (mqtt:// only)")
	n := flag.Int("n", 200000, "messages to publish")
	prime := flag.String("prime", "", "comma-separated client IDs: create their persistent sessions and exit")
	topic := flag.String("topic", "flespi/message/gw/channels/+/+", "with -prime: the filter subscribed")
	qos := flag.Int("qos", 1, "with -prime: the subscription QoS (0 needs queue_qos0_messages in mosquitto)")
	workers := flag.Int("workers", 64, "concurrent publishers (the broker's receive maximum limits what is in flight)")
	props := flag.Bool("props", true, "add the user properties flespi puts on every PUBLISH: timestamp (Unix seconds with µs) and cid")
	flag.Parse()
	u, err := url.Parse(*rawURL)
	if err != nil || u.Scheme != "mqtt" {
		fail(fmt.Errorf("-url %q: want mqtt://host:port", *rawURL))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if *prime != "" {
		for _, id := range strings.Split(*prime, ",") {
			if err := primeSession(ctx, u.Host, id, *topic, byte(*qos)); err != nil {
				fail(err)
			}
		}
		return
	}
	start := time.Now()
	if err := publish(ctx, u.Host, *n, *workers, *props); err != nil {
		fail(err)
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "published %d in %s (%.0f msgs/s)\n", *n, el.Round(time.Millisecond), float64(*n)/el.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "publish:", err)
	os.Exit(1)
}

func dial(ctx context.Context, host, id string, clean bool, expiry uint32) (*paho.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	c := paho.NewClient(paho.ClientConfig{ClientID: id, Conn: conn})
	ca, err := c.Connect(ctx, &paho.Connect{
		ClientID: id, CleanStart: clean, KeepAlive: 60,
		Properties: &paho.ConnectProperties{SessionExpiryInterval: &expiry},
	})
	if err != nil {
		return nil, fmt.Errorf("connect %s as %s: %w", host, id, err)
	}
	if ca.ReasonCode != 0 {
		return nil, fmt.Errorf("connect %s as %s: reason %d", host, id, ca.ReasonCode)
	}
	return c, nil
}

func primeSession(ctx context.Context, host, id, topic string, qos byte) error {
	c, err := dial(ctx, host, id, true, 3600)
	if err != nil {
		return err
	}
	sa, err := c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: topic, QoS: qos}}})
	if err != nil {
		return fmt.Errorf("subscribe as %s: %w", id, err)
	}
	if len(sa.Reasons) != 1 || sa.Reasons[0] != qos {
		return fmt.Errorf("subscribe as %s: reasons %v", id, sa.Reasons)
	}
	return c.Disconnect(&paho.Disconnect{})
}

func publish(ctx context.Context, host string, n, workers int, props bool) error {
	c, err := dial(ctx, host, "hubtap-bench-publisher", true, 0)
	if err != nil {
		return err
	}
	defer func() { _ = c.Disconnect(&paho.Disconnect{}) }()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var buf []byte
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				dev := int(i % 200)
				buf = bench.AppendMessage(buf[:0], rng, dev, i)
				pub := &paho.Publish{Topic: bench.Topic(dev), QoS: 1, Payload: append([]byte(nil), buf...)}
				if props {
					now := time.Now()
					pub.Properties = &paho.PublishProperties{User: paho.UserProperties{
						{Key: "timestamp", Value: fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)},
						{Key: "cid", Value: bench.CID},
					}}
				}
				if _, err := c.Publish(ctx, pub); err != nil {
					errs <- fmt.Errorf("publish %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
