package broker

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eclipse/paho.golang/paho"
)

// REST over MQTT (docs/FLESPI.md §7): flespi takes REST calls published to
// flespi/rest/{method}/{uri}. Whether it replies on the request topic or
// honours the MQTT 5 Response Topic is unknown, so Request listens on both
// and takes the first reply. The feature is experimental.

// RESTTimeout is how long Request waits for a reply when ctx allows longer.
const RESTTimeout = 30 * time.Second

// restCleanup bounds the UNSUBSCRIBE that ends every request.
const restCleanup = 5 * time.Second

// ErrNoReply is wrapped by the error Request returns when no reply came in
// time. Use errors.Is.
var ErrNoReply = errors.New("no reply")

// noReplyError says how long Request waited.
type noReplyError struct{ wait time.Duration }

func (e *noReplyError) Error() string {
	return "no reply from the broker in " + plainDuration(e.wait) + " (REST over MQTT is experimental, see docs/FLESPI.md)"
}

func (e *noReplyError) Unwrap() error { return ErrNoReply }

// plainDuration prints 30 s, 1.5 s or 500 ms, to the nearest 100 ms.
func plainDuration(d time.Duration) string {
	d = d.Round(100 * time.Millisecond)
	switch {
	case d >= time.Second && d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + " s"
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
}

// RESTTopic validates a request and returns its topic,
// flespi/rest/{method}/{uri}. method is one of get, post, put, patch or delete
// in any case (sent in lower case); uri is the REST path without the leading
// slash, e.g. gw/devices/all, with no wildcards, spaces or empty levels.
func RESTTopic(method, uri string) (string, error) {
	m := strings.ToLower(strings.TrimSpace(method))
	switch m {
	case "get", "post", "put", "patch", "delete":
	default:
		return "", fmt.Errorf("method %q: use get, post, put, patch or delete", method)
	}
	switch {
	case uri == "":
		return "", errors.New("empty URI: give the REST path, e.g. gw/devices/all")
	case strings.HasPrefix(uri, "/"):
		return "", fmt.Errorf("URI %q: leave out the leading slash", uri)
	case strings.HasPrefix(uri, "flespi/rest/"):
		return "", fmt.Errorf("URI %q: give only the REST path, without flespi/rest/{method}/", uri)
	case strings.ContainsAny(uri, "+#"):
		return "", fmt.Errorf("URI %q: + and # are MQTT wildcards and cannot appear in a request topic", uri)
	case strings.ContainsFunc(uri, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "", fmt.Errorf("URI %q: no spaces or control characters", uri)
	case !utf8.ValidString(uri):
		return "", fmt.Errorf("URI %q: not valid UTF-8", uri)
	case strings.Contains(uri, "//") || strings.HasSuffix(uri, "/"):
		return "", fmt.Errorf("URI %q: empty path level", uri)
	}
	t := "flespi/rest/" + m + "/" + uri
	if len(t) > 65535 {
		return "", errors.New("URI too long for an MQTT topic")
	}
	return t, nil
}

// restResponseTopic is the private topic a request asks for its reply on:
// hubtap/rest/{clientID}/{random hex}, in the account's own namespace.
func restResponseTopic(clientID string, id []byte) string {
	clean := strings.Map(func(r rune) rune {
		if r == '/' || r == '+' || r == '#' || r == ',' || r < ' ' { // ',' makes a flespi comma list
			return '_'
		}
		return r
	}, clientID)
	return "hubtap/rest/" + clean + "/" + hex.EncodeToString(id[:8])
}

// Request sends one REST call over MQTT and waits for its reply, at most
// until ctx ends or RESTTimeout passes; the timeout error wraps ErrNoReply.
// It blocks: call it from a tea.Cmd. Several requests may run at once.
//
// It subscribes (QoS 1, no retained replay) to the request topic (levels
// with a comma as +, see replyFilter) and to a private response topic
// hubtap/rest/{clientID}/{random hex}, publishes the body at QoS 1 with that
// Response Topic and a random 16-byte Correlation Data (without them when the
// broker refused the response topic), and takes the first
// reply: a message on the response topic carrying that correlation data, or
// a message on the exact request topic that looks like a reply (a `status`
// user property, or a JSON object with "result" or "errors") and is not our
// own request echoed back (our response topic and our body).
// These subscriptions are never renewed on reconnect and are removed before
// Request returns. The reply still reaches the Sink like any message: the
// UI sees it in its stream too.
//
// Limits: a reconnect while waiting loses the reply (the handler lives on
// one paho connection), and if the UNSUBSCRIBE fails because the connection
// is down, a persistent session may keep the two subscriptions until the
// broker drops the session.
func (c *Client) Request(ctx context.Context, method, uri string, body []byte) (*Reply, error) {
	topic, err := RESTTopic(method, uri)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	wait := RESTTimeout
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl))
	}
	if wait <= 0 {
		return nil, fmt.Errorf("request %s: %w", topic, context.DeadlineExceeded)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// timedOut turns our own deadline (not the caller's cancel) into ErrNoReply.
	timedOut := func(err error) error {
		if errors.Is(wctx.Err(), context.DeadlineExceeded) {
			return &noReplyError{wait: wait}
		}
		return fmt.Errorf("request %s: %w", topic, err)
	}
	if err := c.cm.AwaitConnection(wctx); err != nil {
		return nil, fmt.Errorf("request %s: not connected to the broker: %w", topic, err)
	}

	id := make([]byte, 16)
	_, _ = rand.Read(id) // never fails (crypto/rand)
	private := restResponseTopic(c.opts.ClientID, id)
	w := &replyWaiter{topic: topic, private: private, id: id, body: body, got: make(chan Message, 1)}
	c.addReply(w)

	// Subscribe through the connection manager, not Client.Subscribe, so the
	// filters never enter the renewal list. A filter the user subscribed to
	// is left alone, so the cleanup does not remove it.
	own := c.Topics()
	var filters []string
	for _, f := range []string{private, replyFilter(topic)} {
		if !slices.Contains(own, f) {
			filters = append(filters, f)
		}
	}
	defer func() {
		c.endRequest(ctx, filters)
		c.removeReply(w) // after the UNSUBACK, so a reply still being routed is not lost on the way
	}()
	refused, err := c.restSubscribe(wctx, filters)
	if err != nil {
		return nil, timedOut(err)
	}

	sent := time.Now()
	p := &paho.Publish{Topic: topic, QoS: 1, Payload: body}
	// A Response Topic only when we may read it: a broker that answers on
	// the Response Topic alone (the simulator does, docs/FLESPI.md §7) would
	// otherwise answer where an ACL token cannot hear it.
	if !slices.Contains(refused, private) {
		p.Properties = &paho.PublishProperties{ResponseTopic: private, CorrelationData: id}
	}
	if pr, err := c.cm.Publish(wctx, p); err != nil {
		if pr != nil && pr.ReasonCode >= 0x80 {
			return nil, fmt.Errorf("request %s: %w", topic, pubackError(pr))
		}
		return nil, timedOut(err)
	}
	select {
	case m := <-w.got:
		r := DecodeReply(m)
		r.Elapsed = m.Received.Sub(sent)
		r.Correlated = m.Topic == private
		return &r, nil
	case <-wctx.Done():
		return nil, timedOut(wctx.Err())
	}
}

// replyFilter is the filter that receives replies on the request topic. On
// flespi a comma inside a filter level is a list ("1,2" matches 1 or 2, not
// the literal "1,2"), so such levels become + and handle keeps only the
// exact topic.
func replyFilter(topic string) string {
	if !strings.Contains(topic, ",") {
		return topic
	}
	levels := strings.Split(topic, "/")
	for i, l := range levels {
		if strings.Contains(l, ",") {
			levels[i] = "+"
		}
	}
	return strings.Join(levels, "/")
}

// restSubscribe subscribes to the request's filters at QoS 1 without
// retained replays (a retained message is never a reply) and returns the
// filters the broker refused. One refused filter is fine: an ACL token may
// read the request topic but not its own namespace, or the other way round.
func (c *Client) restSubscribe(ctx context.Context, filters []string) (refused []string, err error) {
	if len(filters) == 0 {
		return nil, nil
	}
	sub := &paho.Subscribe{}
	for _, f := range filters {
		sub.Subscriptions = append(sub.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: 1, RetainHandling: 2})
	}
	sa, err := subscribeRetrying(ctx, c.cm, sub)
	if sa == nil {
		if err == nil {
			err = errors.New("no SUBACK")
		}
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	var last error
	for _, r := range subResults(filters, sa) {
		if r.Err != nil {
			c.log.Info("REST reply filter refused", "filter", r.Filter, "err", r.Err)
			refused, last = append(refused, r.Filter), r.Err
		}
	}
	if len(refused) == len(filters) {
		return refused, fmt.Errorf("subscribe to the reply topics: %w", last)
	}
	return refused, nil
}

// endRequest unsubscribes from the request's filters, with a context of its
// own so a request that timed out still cleans up.
func (c *Client) endRequest(ctx context.Context, filters []string) {
	if len(filters) == 0 {
		return
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restCleanup)
	defer cancel()
	if _, err := c.cm.Unsubscribe(uctx, &paho.Unsubscribe{Topics: filters}); err != nil {
		c.log.Warn("REST unsubscribe failed", "filters", filters, "err", err)
	}
}

// pubackError explains a refused request PUBLISH.
func pubackError(pr *paho.PublishResponse) error {
	e := &ReasonError{Packet: "PUBACK", Code: pr.ReasonCode}
	if pr.Properties != nil {
		e.Server = pr.Properties.ReasonString
	}
	return fmt.Errorf("the broker refused the request: %w", e)
}

// replyWaiter picks the reply out of everything paho receives while one
// request is open. handle runs on paho's goroutine (onReply, under
// Client.replyMu) and never blocks.
type replyWaiter struct {
	topic, private string
	id, body       []byte
	got            chan Message // cap 1: the first reply wins
	done           bool         // a reply went to got; under Client.replyMu
}

// addReply and removeReply open and close a request's window on what paho
// receives. A handler of its own per request (autopaho's
// AddOnPublishReceived) is not used: v0.23.0 removes one by flipping a flag
// that paho's router reads without a lock, a data race.
func (c *Client) addReply(w *replyWaiter) {
	c.replyMu.Lock()
	defer c.replyMu.Unlock()
	c.replies = append(c.replies, w)
	c.nReplies.Store(int32(len(c.replies)))
}

func (c *Client) removeReply(w *replyWaiter) {
	c.replyMu.Lock()
	defer c.replyMu.Unlock()
	if i := slices.Index(c.replies, w); i >= 0 {
		c.replies = slices.Delete(c.replies, i, i+1)
	}
	c.nReplies.Store(int32(len(c.replies)))
}

// onReply is paho's second handler: it shows each message to the open
// requests. With none open (almost always) it costs one atomic load.
func (c *Client) onReply(pr paho.PublishReceived) (bool, error) {
	if c.nReplies.Load() == 0 {
		return false, nil
	}
	c.replyMu.Lock()
	defer c.replyMu.Unlock()
	for _, w := range c.replies {
		w.handle(pr.Packet)
	}
	return false, nil
}

func (w *replyWaiter) handle(p *paho.Publish) {
	if w.done || p.Retain || (p.Topic != w.private && p.Topic != w.topic) {
		return
	}
	var corr []byte
	if p.Properties != nil {
		corr = p.Properties.CorrelationData
	}
	if p.Topic == w.private {
		if !bytes.Equal(corr, w.id) {
			return
		}
	} else if !looksLikeReply(p) || isEcho(p, w.private, w.body) {
		return
	}
	m := FromPaho(p, 0, time.Now())
	m.Payload = bytes.Clone(m.Payload)
	select {
	case w.got <- m:
		w.done = true
	default:
	}
}

// isEcho reports our own request coming back on the request topic: it
// carries our response topic and our body.
func isEcho(p *paho.Publish, private string, body []byte) bool {
	return p.Properties != nil && p.Properties.ResponseTopic == private && bytes.Equal(p.Payload, body)
}
