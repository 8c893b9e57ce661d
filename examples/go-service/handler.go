package main

import (
	"encoding/json"
	"net/http"
)

// newMux routes the service's endpoints.
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", health)
	mux.HandleFunc("/greet", greet)
	return mux
}

// health answers load balancers and smoke tests.
func health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// greet says hello to ?name=, or to the world.
func greet(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"message": Greeting(r.URL.Query().Get("name"))})
}

// Greeting is the message for name.
func Greeting(name string) string {
	if name == "" {
		name = "world"
	}
	return "hello, " + name
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
