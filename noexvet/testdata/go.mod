module example.com/app

go 1.26.0

require github.com/noex-go/noex v0.0.0

require github.com/google/go-cmp v0.7.0 // indirect

replace github.com/noex-go/noex => ../..
