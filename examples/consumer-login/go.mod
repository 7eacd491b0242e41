module github.com/latchauth/latch/examples/consumer-login

go 1.26.8

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/latchauth/latch v0.0.0
	github.com/stytchauth/stytch-go/v16 v16.41.0
)

require (
	github.com/MicahParks/keyfunc/v2 v2.0.1 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/mitchellh/mapstructure v1.5.0 // indirect
)

// The end-to-end test runs the latch server from this checkout; the app
// itself imports nothing from Latch.
replace github.com/latchauth/latch => ../..
