package passwords

// Verifications returns how many password verifications s has made.
func Verifications(s *Service) int64 { return s.verifications.Load() }
