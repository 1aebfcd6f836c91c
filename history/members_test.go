package history

import (
	"testing"

	"github.com/tidwall/gjson"
)

type kv struct{ k, v string }

func forEach(js string) []kv {
	var out []kv
	gjson.Parse(js).ForEach(func(k, v gjson.Result) bool {
		out = append(out, kv{k.Str, v.Raw})
		return true
	})
	return out
}

func walk(js string) []kv {
	var out []kv
	members(js, func(k, v string) bool {
		out = append(out, kv{k, v})
		return true
	})
	return out
}

// checkMembers compares members with gjson's ForEach on a valid object.
func checkMembers(t *testing.T, js string) {
	t.Helper()
	if !gjson.Valid(js) || !gjson.Parse(js).IsObject() {
		return
	}
	want, got := forEach(js), walk(js)
	if len(got) != len(want) {
		t.Fatalf("%q: %d members, gjson %d: %q vs %q", js, len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%q: member %d = %q, gjson %q", js, i, got[i], want[i])
		}
	}
}

var memberCases = []string{
	`{}`,
	` { } `,
	`{"a":1}`,
	"{\n\t\"a\" : -1.5e3 ,\r\n \"b\":[1, {\"c\":\"]}\"}] , \"d\" : {\"e\":{}} }",
	`{"ident":"352625066004561","position.speed":47,"engine.ignition.status":true,"x":null,"y":false}`,
	`{"k\"ey":"v\\","k\\":"\"","\u00e9":"\u2028","s":"a\\\"b"}`,
	`{"a":"{","b":"[","c":["\"]",{"d":"}"}],"e":"\\\\"}`,
	`{"dup":1,"dup":2}`,
}

func TestMembersMatchesGJSON(t *testing.T) {
	for _, js := range memberCases {
		t.Run(js, func(t *testing.T) { checkMembers(t, js) })
	}
}

func FuzzMembers(f *testing.F) {
	for _, js := range memberCases {
		f.Add(js)
	}
	f.Fuzz(func(t *testing.T, js string) {
		walk(js) // never panics, valid or not
		checkMembers(t, js)
	})
}
