// Package api serves the Stytch HTTP API. It is the only package with JSON
// wire types: handlers decode a request, call one service method, and
// encode the result; every error becomes the Stytch error envelope in
// writeError. routes.go lists every endpoint.
package api
