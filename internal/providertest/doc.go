// Package providertest runs a small, scriptable OpenID Connect provider for
// tests of Latch's OAuth login: a stand-in for the outside world in the
// situations a real provider cannot be made to produce on demand (an ID
// token for another audience, an expired one, a wrong nonce or issuer, a
// refusal at the authorization or token endpoint), and for the providers
// that behave in their own way: Apple (a client secret that is a JWT
// signed with the team's key, response_mode=form_post, the user's name
// posted once in a "user" form field, email_verified as the string
// "true") and Microsoft's multi-tenant endpoints (a discovery document
// whose issuer is a template, and tokens whose iss names the user's
// tenant). Tests of the ordinary flow use internal/oidctest, a real
// provider.
//
// The provider is an httptest server on a loopback address; Options.Host
// can name it otherwise ("localhost"), so that to a browser it is another
// site than the servers it sends users back to. What it serves, below
// Server.URL:
//
//   - the discovery document at Issuer + "/.well-known/openid-configuration"
//     (for MultiTenant, at URL + "/{tenant}/v2.0/.well-known/…" for any
//     tenant, whose issuer is URL + "/{tenantid}/v2.0" for common,
//     organizations and consumers, as Microsoft's is);
//   - the key set at /keys: one RSA key, ID tokens are signed RS256;
//   - GET /authorize, which "signs the user in" at once and sends the
//     browser back to the redirect URI with a code (or the scripted error)
//     and the state, by a 302 or, for response_mode=form_post, by an HTML
//     page whose form posts them there;
//   - POST /token, which exchanges a code once, checking the client's
//     authentication, the redirect URI and the PKCE S256 verifier, and
//     answers an ID token, an access token and (scripted) errors;
//   - GET /userinfo, with the access token (not in Apple mode: Apple has
//     none).
//
// Logins are scripted by a Login: SetDefault sets what every login does,
// Next queues one for the next authorization request only.
package providertest
