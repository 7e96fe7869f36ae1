module example.com/newcomer

go 1.26.0

require github.com/noex-go/noex v0.0.0

replace github.com/noex-go/noex => ../../..
