// A small application using the SDK, driven by the end-to-end test over stdin/stdout (the JS and Python test
// apps' twin): `log N` logs N records through a plain slog.Logger and one with a group open, in turn;
// `switch N` logs N more, marked as after the policy switch; `stop` shuts the SDK down. One JSON line answers
// each command; each policy put in force is told; the app is ready once it has one.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	logsift "github.com/logsift/logsift/sdk/go"
)

var out = struct {
	sync.Mutex
	*json.Encoder
}{Encoder: json.NewEncoder(os.Stdout)}

func say(event map[string]any) {
	out.Lock()
	defer out.Unlock()
	out.Encode(event)
}

func line(i int, marker string) (slog.Level, string) {
	switch kind := i % 10; {
	case kind == 0:
		return slog.LevelError, fmt.Sprintf("%spayment %d failed: card_declined for order %d", marker, i, i*7)
	case kind < 4:
		return slog.LevelDebug, fmt.Sprintf("%scache miss for key product:%d:price", marker, i)
	case kind < 6:
		return slog.LevelInfo, fmt.Sprintf("%suser %d logged in from 10.0.%d.%d", marker, i, i%250, i%7)
	default:
		return slog.LevelInfo, fmt.Sprintf("%sGET /api/items/%d 200 %dms", marker, i, i%97)
	}
}

func main() {
	ctx := context.Background()
	policies := make(chan struct{}, 1)
	sdk, err := logsift.Configure(ctx, logsift.Options{
		Service:        os.Getenv("SERVICE"),
		Endpoint:       os.Getenv("LOGSIFT_ENDPOINT"),
		PolicyCache:    os.Getenv("POLICY_FILE"),
		WaitSeconds:    5,
		ReportInterval: 200 * time.Millisecond,
		OnError:        func(problem string) { fmt.Fprintln(os.Stderr, problem) },
		OnPolicy: func(p logsift.Policy) {
			say(map[string]any{"event": "policy", "version": p.Version})
			select {
			case policies <- struct{}{}:
			default:
			}
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plain := sdk.Logger.With("channel", "slog")
	grouped := sdk.Logger.With("channel", "grouped").WithGroup("request")
	<-policies
	say(map[string]any{"event": "ready"})

	logged := 0
	log := func(n int, marker string) {
		for range n {
			level, text := line(logged, marker)
			logger := plain
			if logged%2 == 1 {
				logger = grouped
			}
			logger.Log(ctx, level, text, "order", logged)
			logged++
		}
	}
	input := bufio.NewScanner(os.Stdin)
	for input.Scan() {
		verb, count, _ := strings.Cut(strings.TrimSpace(input.Text()), " ")
		n, _ := strconv.Atoi(count)
		switch verb {
		case "log":
			log(n, "")
			say(map[string]any{"event": "logged", "logged": logged})
		case "switch":
			log(n, "after-switch ")
			say(map[string]any{"event": "logged", "logged": logged})
		case "stop":
			stopping, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := sdk.Shutdown(stopping)
			cancel()
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
			sent, dropped := sdk.Reported()
			say(map[string]any{"event": "stopped", "logged": logged, "failures": sdk.Handler.Failures(), "reported": sent, "unreported": dropped})
			return
		}
	}
}
