package logsift

// What the miner sees of a body (the daemon's structured_body.ts): a map, or a string holding a JSON object,
// is signed by its message field plus its sorted key set; and the body's text, as the daemon counts its bytes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
)

var messageKeys = [...]string{"message", "msg", "log", "event", "body", "text"}

func utf16Less(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func structuredSignature(body map[string]any) string {
	message := ""
	for _, k := range messageKeys {
		if s, ok := body[k].(string); ok {
			message = s
			break
		}
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return utf16Less(keys[i], keys[j]) })
	if message != "" {
		return message + " {" + strings.Join(keys, ",") + "}"
	}
	return "{" + strings.Join(keys, ",") + "}"
}

func bodySignature(body any) string {
	switch b := body.(type) {
	case string:
		trimmed := jsTrim(b)
		if strings.HasPrefix(trimmed, "{") && strings.HasSuffix(trimmed, "}") {
			var parsed any
			decoder := json.NewDecoder(strings.NewReader(trimmed))
			decoder.UseNumber()
			if decoder.Decode(&parsed) == nil && !decoder.More() {
				if m, ok := parsed.(map[string]any); ok {
					return structuredSignature(m)
				}
			}
		}
		return b
	case map[string]any:
		return structuredSignature(b)
	case nil:
		return ""
	default:
		return fmt.Sprint(b)
	}
}

// bodyLength is the body's text in UTF-16 units: a string verbatim, anything else as JSON.
func bodyLength(body any, signed string) int {
	switch b := body.(type) {
	case string:
		return jsLen(b)
	case nil:
		return 0
	default:
		var buf bytes.Buffer
		encoder := json.NewEncoder(&buf)
		encoder.SetEscapeHTML(false)
		if encoder.Encode(b) != nil {
			return jsLen(signed)
		}
		return jsLen(strings.TrimSuffix(buf.String(), "\n"))
	}
}
