module github.com/latchauth/latch

go 1.26.8
