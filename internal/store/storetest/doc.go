// Package storetest is the conformance suite of store.Store: the behaviour
// every dialect of sqlstore must share, written once against the interface
// (dex's conformance.RunTests, kratos's contract tests). Dialect tests call
// RunConformance with a function that opens a fresh store.
package storetest
