package logsift

// OTLP severity numbers in classes, as the daemon's policy/severity.ts has them; a few helpers the port
// needs to count and trim as JavaScript does.

import (
	"math"
	"strings"
)

var severityClasses = [...]string{"UNSPECIFIED", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}

const errorRank = 5

var textClasses = map[string]int{"trace": 1, "debug": 2, "info": 3, "information": 3, "notice": 3, "warn": 4, "warning": 4, "error": 5, "err": 5, "critical": 6, "crit": 6, "alert": 6, "emergency": 6, "fatal": 6}

// jsTrim removes what JavaScript's String.prototype.trim removes.
func jsTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch {
		case r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == ' ' || r == 0xa0 || r == 0x1680:
			return true
		case r >= 0x2000 && r <= 0x200a:
			return true
		case r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000 || r == 0xfeff:
			return true
		}
		return false
	})
}

// severityClassIndex is the class (index in severityClasses) of a severity number, or of its text when unset.
func severityClassIndex(number int, text string) int {
	if number >= 1 && number <= 24 {
		return int(math.Ceil(float64(number) / 4))
	}
	return textClasses[strings.ToLower(jsTrim(text))]
}

// traceUniform is a number in [0, 1) that is the same for every record of a trace (the daemon's trace_hash.ts).
func traceUniform(traceID []byte) float64 {
	h := uint32(0x811c9dc5)
	for _, b := range traceID {
		h = (h ^ uint32(b)) * 0x01000193
	}
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return float64(h) / 4294967296
}
