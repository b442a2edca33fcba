package logsift

// Keep rules on attributes (`http.status_code >= 500`), compiled once per policy: the daemon's keep_rules.ts,
// with JavaScript's comparisons (a number compares as a number even when it arrived as a string).

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
)

type predicate func(attributes map[string]any) bool

func jsString(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func asNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case string:
		trimmed := jsTrim(x)
		if trimmed == "" {
			return 0, false
		}
		n, err := strconv.ParseFloat(trimmed, 64)
		if err != nil || math.IsNaN(n) {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func compareRule(op string, actual, expected any) bool {
	if actual == nil {
		return false
	}
	number, isNumber := asNumber(actual)
	want, wantNumber := expected.(float64)
	numeric := wantNumber && isNumber
	switch op {
	case "==":
		if numeric {
			return number == want
		}
		return jsString(actual) == jsString(expected)
	case "!=":
		if numeric {
			return number != want
		}
		return jsString(actual) != jsString(expected)
	case ">":
		return numeric && number > want
	case ">=":
		return numeric && number >= want
	case "<":
		return numeric && number < want
	case "<=":
		return numeric && number <= want
	}
	return false
}

func compileKeepRules(rules []KeepRule) predicate {
	predicates := make([]predicate, 0, len(rules))
	for _, rule := range rules {
		rule := rule
		switch rule.Op {
		case "exists":
			predicates = append(predicates, func(a map[string]any) bool { return a[rule.Attribute] != nil })
		case "matches":
			pattern, err := regexp.Compile(jsString(rule.Value))
			if err != nil {
				continue
			}
			predicates = append(predicates, func(a map[string]any) bool {
				v := a[rule.Attribute]
				return v != nil && pattern.MatchString(jsString(v))
			})
		default:
			predicates = append(predicates, func(a map[string]any) bool { return compareRule(rule.Op, a[rule.Attribute], rule.Value) })
		}
	}
	return func(a map[string]any) bool {
		for _, p := range predicates {
			if p(a) {
				return true
			}
		}
		return false
	}
}
