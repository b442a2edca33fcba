package logsift

// Tokenising and masking a log body before mining: a port of the daemon's processors/signature/masking.ts.
// Recognisable variables become <*>. Go's regexp (RE2) has no lookahead, so the two patterns that use one in
// the daemon are written as a pattern and a check; white space is JavaScript's (RE2's \s lacks \v and the
// Unicode spaces); lengths are counted in UTF-16 units, as JavaScript counts them.

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Wildcard stands for a variable in a template.
const Wildcard = "<*>"

const jsSpace = "\\t\\n\\x0b\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"

var httpMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true, "CONNECT": true, "TRACE": true}

var eventKeys = map[string]bool{"msg": true, "message": true, "event": true, "evt": true, "action": true, "status": true, "state": true, "result": true, "outcome": true, "method": true, "op": true, "operation": true, "type": true, "kind": true, "level": true, "lvl": true}

var (
	protocolVersion = regexp.MustCompile(`(?i)^["'(]?(HTTP|HTTPS|SPDY|TLSv?|SSLv?|SMB|NFSv?)/?\d(\.\d)?["'),]?$`)
	wordlikeValue   = regexp.MustCompile(`^["']?[A-Za-z][A-Za-z _.-]*["']?$`)

	urlPattern       = regexp.MustCompile(`(?i)^[a-z][a-z0-9+.-]*://[^` + jsSpace + `]+$`)
	emailPattern     = regexp.MustCompile(`^[\w.+-]+@[\w-]+(\.[\w-]+)+$`)
	uuidPattern      = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	ipPattern        = regexp.MustCompile(`(?i)^(([a-z0-9.-]*/)?\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[?[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\]?(:\d{1,5})?)$`)
	timestampPattern = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,3}:\d{2}(:\d{2})?([.,]\d+)?)$`)
	pathPattern      = regexp.MustCompile(`(?i)^(~|\.{1,2})?(/[^` + jsSpace + `/]*){2,}$|^[a-z]:\\`)

	hexPattern        = regexp.MustCompile(`(?i)^(0x[0-9a-f]+|[0-9a-f]{12,})$`)
	durationPattern   = regexp.MustCompile(`(?i)^\d+(\.\d+)?(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs)$`)
	sizePattern       = regexp.MustCompile(`(?i)^\d+(\.\d+)?([kmgtp]i?b|b|bytes?)$`)
	numberPattern     = regexp.MustCompile(`\d`)
	dayOrMonthPiece   = regexp.MustCompile(`(?i)^(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$`)
	piecePattern      = regexp.MustCompile(`[A-Za-z0-9_-]+`)
	quotedValue       = regexp.MustCompile(`([\w.\-]+)=("[^"]*"|'[^']*')`)
	sizeConversion    = regexp.MustCompile(`(?i)(\d[` + jsSpace + `]*(?:bytes?|[KMGTP]i?B|B))[` + jsSpace + `]*\([` + jsSpace + `]*[\d.,]+[` + jsSpace + `]*(?:bytes?|[KMGTP]i?B|B)[` + jsSpace + `]*\)`)
	bracketed         = regexp.MustCompile(`\[([^\[\]]*)\]`)
	quotedPhrase      = regexp.MustCompile(`(^|[` + jsSpace + `(\[])"([^"]*)"`)
	spacePattern      = regexp.MustCompile(`[` + jsSpace + `]`)
	listSeparator     = regexp.MustCompile(`,[` + jsSpace + `]`)
	hostNamePattern   = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[a-z]{2,}(:\d{1,5})?$`)
	hostPortPattern   = regexp.MustCompile(`^[a-z][\w.-]*:\d{1,5}$`)
	lowerLetter       = regexp.MustCompile(`[a-z]`)
	versionPattern    = regexp.MustCompile(`^v?\d+(\.\d+)+([-+~:.][\w.+~-]*)?$|^\d+:\d[\w.+~-]*$`)
	keyValuePattern   = regexp.MustCompile(`^([A-Za-z_][\w.\-]*[=:])([^=:][^\n\r\x{2028}\x{2029}]*)$`)
	whitespacePattern = regexp.MustCompile(`[` + jsSpace + `]+`)
	plainNumber       = regexp.MustCompile(`^[(\[]?[<>~]?[-+]?\d+([.,]\d+)*[)\],;:.]?$`)
	numberCore        = regexp.MustCompile(`[<>~]?[-+]?\d+([.,]\d+)*`)
	onePiece          = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// The daemon's literal pattern ends in a lookahead for closers to the end; here they are matched as group 3.
	literalPattern  = regexp.MustCompile(`(?i)(^[("'\[{]*|\()(true|false|null)([)"'\]},;.]*)$`)
	edgePunctuation = regexp.MustCompile(`^[("'\[{<]+|[)"'\]}>,;.!?]+$`)
	trailingClosers = regexp.MustCompile(`[,;)\]}]+$`)
)

var daysAndMonths = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true, "jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true, "jul": true, "aug": true, "sep": true, "oct": true, "nov": true, "dec": true}

const maxHost = 253

func isEventKeyValue(key, value string) bool {
	return eventKeys[strings.ToLower(key)] && wordlikeValue.MatchString(value)
}

// jsLen is a string's length as JavaScript counts it: UTF-16 code units.
func jsLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			n++
			continue
		}
		for _, r := range s[i:] {
			if r > 0xFFFF {
				n += 2
			} else {
				n++
			}
		}
		return n
	}
	return n
}

// The daemon's host pattern: a lower-case letter before any colon, then a dotted name (or a name and a port).
func isHost(s string) bool {
	if hostPortPattern.MatchString(s) {
		return true
	}
	before := s
	if at := strings.IndexByte(s, ':'); at >= 0 {
		before = s[:at]
	}
	return lowerLetter.MatchString(before) && hostNamePattern.MatchString(s)
}

const (
	flagDigit = 1 << iota
	flagSlash
	flagAt
	flagColon
	flagEquals
	flagDot
	flagDash
)

func scan(token string) int {
	flags := 0
	for i := 0; i < len(token); i++ {
		switch c := token[i]; {
		case c >= '0' && c <= '9':
			flags |= flagDigit
		case c == '/' || c == '\\':
			flags |= flagSlash
		case c == '@':
			flags |= flagAt
		case c == ':':
			flags |= flagColon
		case c == '=':
			flags |= flagEquals
		case c == '.':
			flags |= flagDot
		case c == '-':
			flags |= flagDash
		}
	}
	return flags
}

func isLetter(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }

func isDayOrMonth(token string) bool {
	start, end := 0, len(token)
	for start < end && !isLetter(token[start]) {
		start++
	}
	for end > start && !isLetter(token[end-1]) {
		end--
	}
	return end-start == 3 && daysAndMonths[strings.ToLower(token[start:end])]
}

func endsLikeLiteral(token string) bool {
	end := len(token) - 1
	for end > 0 && !isLetter(token[end]) {
		end--
	}
	c := token[end] | 32
	return c == 'e' || c == 'l'
}

func stripEdges(token string) string { return edgePunctuation.ReplaceAllString(token, "") }

func wholeTokenMask(token string, flags int) bool {
	n := jsLen(token)
	if flags&flagSlash != 0 && flags&flagColon != 0 && urlPattern.MatchString(token) {
		return true
	}
	if flags&flagAt != 0 && emailPattern.MatchString(token) {
		return true
	}
	if n >= 36 && flags&flagDash != 0 && uuidPattern.MatchString(token) {
		return true
	}
	if flags&(flagDot|flagColon) != 0 && ipPattern.MatchString(token) {
		return true
	}
	if flags&flagDigit != 0 && flags&(flagDash|flagColon) != 0 && timestampPattern.MatchString(token) {
		return true
	}
	return flags&flagSlash != 0 && pathPattern.MatchString(token)
}

func maskPieces(text string) string {
	return piecePattern.ReplaceAllStringFunc(text, func(piece string) string {
		if numberPattern.MatchString(piece) || hexPattern.MatchString(piece) || durationPattern.MatchString(piece) || sizePattern.MatchString(piece) || dayOrMonthPiece.MatchString(piece) {
			return Wildcard
		}
		return piece
	})
}

func maskToken(token string, flags int) string {
	if flags&(flagDigit|flagSlash|flagAt|flagColon|flagEquals) == 0 {
		n := jsLen(token)
		if n >= 3 && n <= 5 && isDayOrMonth(token) {
			return maskPieces(token)
		}
		if n >= 4 && endsLikeLiteral(token) {
			if m := literalPattern.FindStringSubmatchIndex(token); m != nil {
				return token[:m[3]] + Wildcard + token[m[5]:]
			}
		}
		if n >= 12 && hexPattern.MatchString(stripEdges(token)) {
			return maskPieces(token)
		}
		if flags&flagDot != 0 && n <= maxHost {
			if dot := strings.IndexByte(token, '.'); dot > 0 && dot < len(token)-1 {
				stripped := stripEdges(token)
				if isHost(stripped) {
					return strings.Replace(token, stripped, Wildcard, 1)
				}
			}
		}
		return token
	}
	if flags&^(flagDigit|flagDot|flagDash|flagColon) == 0 && plainNumber.MatchString(token) {
		loc := numberCore.FindStringIndex(token)
		return token[:loc[0]] + Wildcard + token[loc[1]:]
	}
	if flags&flagDigit != 0 && protocolVersion.MatchString(token) {
		return token
	}
	if wholeTokenMask(token, flags) {
		return Wildcard
	}
	stripped := stripEdges(token)
	if stripped != token && stripped != "" && wholeTokenMask(stripped, scan(stripped)) {
		return strings.Replace(token, stripped, Wildcard, 1)
	}
	if flags&(flagSlash|flagAt|flagEquals) == 0 && stripped != "" && jsLen(stripped) <= maxHost {
		if flags&flagDigit != 0 && versionPattern.MatchString(stripped) {
			return strings.Replace(token, stripped, Wildcard, 1)
		}
		if flags&(flagDot|flagColon) != 0 && isHost(stripped) {
			return strings.Replace(token, stripped, Wildcard, 1)
		}
	}
	if flags&(flagSlash|flagAt|flagColon|flagEquals|flagDot) == 0 && onePiece.MatchString(token) {
		return Wildcard
	}
	if flags&(flagEquals|flagColon) != 0 {
		if kv := keyValuePattern.FindStringSubmatch(token); kv != nil {
			key, value := kv[1], kv[2]
			if isEventKeyValue(key[:len(key)-1], trailingClosers.ReplaceAllString(value, "")) {
				return token
			}
			if !strings.HasPrefix(value, "//") {
				return key + Wildcard + trailingClosers.FindString(value)
			}
		}
	}
	return maskPieces(token)
}

func maskRoute(token string) string {
	route, query := token, -1
	if q := strings.IndexByte(token, '?'); q >= 0 {
		route, query = token[:q], q
	}
	segments := strings.Split(route, "/")
	for i, s := range segments {
		if numberPattern.MatchString(s) || hexPattern.MatchString(s) {
			segments[i] = Wildcard
		}
	}
	masked := strings.Join(segments, "/")
	if query >= 0 {
		return masked + "?" + Wildcard
	}
	return masked
}

// replaceSubmatchFunc is ReplaceAllStringFunc with the match's groups.
func replaceSubmatchFunc(re *regexp.Regexp, text string, replace func(groups []string) string) string {
	var out strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		groups := make([]string, len(m)/2)
		for g := range groups {
			if m[2*g] >= 0 {
				groups[g] = text[m[2*g]:m[2*g+1]]
			}
		}
		out.WriteString(text[last:m[0]])
		out.WriteString(replace(groups))
		last = m[1]
	}
	out.WriteString(text[last:])
	return out.String()
}

func rewriteSpans(body string) string {
	text := body
	if strings.Contains(text, `="`) || strings.Contains(text, `='`) {
		text = replaceSubmatchFunc(quotedValue, text, func(g []string) string {
			if isEventKeyValue(g[1], g[2]) {
				return g[0]
			}
			return g[1] + "=" + Wildcard
		})
	}
	if strings.Contains(text, `"`) {
		text = replaceSubmatchFunc(quotedPhrase, text, func(g []string) string {
			inner := g[2]
			space := strings.IndexByte(inner, ' ')
			head := inner
			if space >= 0 {
				head = inner[:space]
			} else if inner != "" {
				// JavaScript's slice(0, -1): all but the last character.
				_, size := utf8.DecodeLastRuneInString(inner)
				head = inner[:len(inner)-size]
			}
			if !spacePattern.MatchString(inner) || httpMethods[head] {
				return g[0]
			}
			return g[1] + `"` + Wildcard + `"`
		})
	}
	if strings.Contains(text, "(") {
		text = sizeConversion.ReplaceAllString(text, "${1}")
	}
	if strings.Contains(text, ", ") && strings.Contains(text, "[") {
		text = replaceSubmatchFunc(bracketed, text, func(g []string) string {
			if listSeparator.MatchString(g[1]) {
				return "[" + Wildcard + "]"
			}
			return g[0]
		})
	}
	return text
}

// Masked gives the body's tokens, recognised variables replaced by <*>, joined by single spaces.
func Masked(body string) string {
	text := rewriteSpans(body)
	var parts []string
	if strings.ContainsAny(text, "\t\n\r") {
		parts = whitespacePattern.Split(text, -1)
	} else {
		parts = strings.Split(text, " ")
	}
	out := make([]string, 0, len(parts))
	previous := ""
	for i, token := range parts {
		if token == "" {
			continue
		}
		var result string
		if token[0] == '/' && i > 0 && httpMethods[stripEdges(parts[i-1])] {
			route := strings.TrimSuffix(token, `"`)
			result = maskRoute(route)
			if strings.HasSuffix(token, `"`) {
				result += `"`
			}
		} else {
			result = maskToken(token, scan(token))
		}
		if result != Wildcard || previous != Wildcard {
			out = append(out, result)
			previous = result
		}
	}
	return strings.Join(out, " ")
}

func holdsForShape(masked string) bool { return !numberPattern.MatchString(masked) }

// shapeOf is the body with every digit as 0: bodies of one shape mask alike.
func shapeOf(body string) string {
	return strings.Map(func(r rune) rune {
		if r >= '1' && r <= '9' {
			return '0'
		}
		return r
	}, body)
}
