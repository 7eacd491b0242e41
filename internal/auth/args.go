package auth

// CountSet returns how many of vs are not empty: for a request that takes
// exactly one (or at most one) of several alternative fields, such as
// session_token and session_jwt.
func CountSet(vs ...string) int {
	n := 0
	for _, v := range vs {
		if v != "" {
			n++
		}
	}
	return n
}
