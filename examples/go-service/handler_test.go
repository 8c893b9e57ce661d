package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGreeting(t *testing.T) {
	if got := Greeting(""); got != "hello, world" {
		t.Fatalf("Greeting(\"\") = %q", got)
	}
	if got := Greeting("gopher"); got != "hello, gopher" {
		t.Fatalf("Greeting(\"gopher\") = %q", got)
	}
}

func TestEndpoints(t *testing.T) {
	srv := httptest.NewServer(newMux())
	defer srv.Close()
	for path, want := range map[string]string{
		"/health":        `{"status":"ok"}`,
		"/greet?name=ci": `{"message":"hello, ci"}`,
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got, _ := json.Marshal(body)
		if res.StatusCode != http.StatusOK || string(got) != want {
			t.Errorf("GET %s = %d %s, want 200 %s", path, res.StatusCode, got, want)
		}
	}
}
