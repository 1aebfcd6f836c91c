package broker

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/tidwall/gjson"
)

// Reply is flespi's answer to one REST request (see Request and DecodeReply).
type Reply struct {
	Topic   string // where it arrived: the private response topic or the request topic
	Payload []byte // the JSON body as received; owned by the Reply
	// Status is HTTP-like: the `status` user property if the broker sent one
	// (flespi and the simulator send none), else a top-level "status" number in the body,
	// else 200 when the body has "result", the first error's code when it
	// has only "errors" and that code is an HTTP status, else 400 (flespi
	// also uses codes of its own, such as 2 for a bad request), else 0
	// (unknown).
	Status     int
	Errors     []string      // reasons from {"errors":[{"code":…,"reason":…}]}, in order
	Elapsed    time.Duration // from sending the request to receiving the reply
	Correlated bool          // paired by Correlation Data on the response topic, not by topic
}

// looksLikeReply: a `status` user property, or a JSON object body with a
// top-level "result" or "errors".
func looksLikeReply(p *paho.Publish) bool {
	if p.Properties != nil && p.Properties.User.Get("status") != "" {
		return true
	}
	b := bytes.TrimSpace(p.Payload)
	if len(b) == 0 || b[0] != '{' || !gjson.ValidBytes(b) {
		return false
	}
	r := gjson.GetManyBytes(b, "result", "errors")
	return r[0].Exists() || r[1].Exists()
}

// DecodeReply reads the status and error reasons of a REST reply (see
// Reply.Status). Elapsed and Correlated are left zero. It never fails: a
// body that is not flespi's envelope gives Status 0 and no Errors.
func DecodeReply(m Message) Reply {
	r := Reply{Topic: m.Topic, Payload: m.Payload}
	if v, ok := m.UserValue("status"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 100 && n <= 599 {
			r.Status = n
		}
	}
	var env struct {
		Status *int              `json:"status"`
		Result json.RawMessage   `json:"result"`
		Errors []json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(m.Payload, &env) != nil {
		return r
	}
	first := 0
	for _, e := range env.Errors {
		var item struct {
			Code   json.Number `json:"code"`
			Reason string      `json:"reason"`
		}
		var s string
		switch {
		case json.Unmarshal(e, &s) == nil:
			r.Errors = append(r.Errors, s)
		case json.Unmarshal(e, &item) == nil:
			code, _ := strconv.Atoi(item.Code.String())
			if first == 0 {
				first = code
			}
			switch {
			case item.Reason != "":
				r.Errors = append(r.Errors, item.Reason)
			case code != 0:
				r.Errors = append(r.Errors, "error "+strconv.Itoa(code))
			default:
				r.Errors = append(r.Errors, string(e))
			}
		default:
			r.Errors = append(r.Errors, string(e))
		}
	}
	switch {
	case r.Status != 0:
	case env.Status != nil && *env.Status >= 100 && *env.Status <= 599:
		r.Status = *env.Status
	case env.Result != nil:
		r.Status = 200
	case len(env.Errors) > 0 && first >= 400 && first <= 599:
		r.Status = first
	case len(env.Errors) > 0:
		r.Status = 400
	}
	return r
}
