package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
)

type jwkJSON struct {
	Kty     string   `json:"kty"`
	Use     string   `json:"use"`
	KeyOps  []string `json:"key_ops"`
	Alg     string   `json:"alg"`
	Kid     string   `json:"kid"`
	X5C     []string `json:"x5c"`
	X5TS256 string   `json:"x5tS256"`
	N       string   `json:"n"`
	E       string   `json:"e"`
}

type jwksResponse struct {
	envelope
	Keys []jwkJSON `json:"keys"`
}

// sessionsJWKS publishes a project's signing keys. It is unauthenticated,
// as the SDKs fetch it without credentials, and serves both the consumer
// and the B2B path.
func (h *handler) sessionsJWKS(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("project_id")
	if !auth.HasKind(id, auth.KindProject) {
		return auth.ErrProjectNotFound
	}
	if _, err := h.Projects.Get(r.Context(), id); err != nil {
		return err
	}
	kr, err := h.Keys.Keyring(r.Context(), id)
	if err != nil {
		return err
	}
	keys := kr.JWKS()
	out := &jwksResponse{Keys: make([]jwkJSON, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, jwkJSON{
			Kty: k.Kty, Use: k.Use, KeyOps: k.KeyOps, Alg: k.Alg, Kid: k.Kid,
			X5C: k.X5C, X5TS256: k.X5TS256, N: k.N, E: k.E,
		})
	}
	return encode(w, r, http.StatusOK, out)
}
