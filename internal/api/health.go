package api

import "net/http"

type healthzResponse struct {
	envelope
	Status string `json:"status"`
}

// healthz reports that the server is up; tests and load balancers poll it.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) error {
	return encode(w, r, http.StatusOK, &healthzResponse{Status: "ok"})
}
