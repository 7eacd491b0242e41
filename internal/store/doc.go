// Package store defines the persistence seam of Latch: one Store interface,
// split into a small interface per aggregate, with sentinel errors. Its only
// implementation is sqlstore (SQLite and PostgreSQL); the conformance suite
// in storetest pins the behaviour every dialect must share.
//
// Every method takes ctx first and the project ID second, so no call can
// reach another tenant's rows. The few operator-level calls that span
// projects (listing projects, the outbox worker, the dev inbox) say so.
package store
