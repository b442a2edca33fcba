module github.com/logsift/logsift/sdk/go

go 1.23
