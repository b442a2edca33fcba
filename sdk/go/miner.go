package logsift

// The online template miner: a port of the daemon's processors/signature/template_miner.ts and
// position_rule.ts, step for step, so every body gets the pattern id and template the daemon gives it.

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"sort"
	"strings"
)

const (
	minerSimilarity      = 0.7
	minerVariableAfter   = 3
	defaultMaxPatterns   = 10_000
	evictShare           = 0.1
	maxExtraTokens       = 2
	maxAliasHops         = 32
	manyWords            = 8
	enclosingPunctuation = "()[]{}'\",;:.!?"
)

var (
	eventVerb = regexp.MustCompile(`^([A-Za-z]{3,}(ed|ing)|[A-Z]{3,}(ED|ING))$`)
	letter    = regexp.MustCompile(`[A-Za-z]`)
)

func patternID(service, template string) string {
	sum := sha256.Sum256([]byte(strings.ToValidUTF8(service+"\x00"+template, "\uFFFD")))
	return hex.EncodeToString(sum[:])[:16]
}

func collapse(tokens []string) string {
	out := make([]string, 0, len(tokens))
	for _, t := range tokens {
		if !(t == Wildcard && len(out) > 0 && out[len(out)-1] == Wildcard) {
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}

func namesEvent(word string) bool { return httpMethods[word] || eventVerb.MatchString(word) }

func isBareValue(word string) bool {
	return strings.Contains(word, Wildcard) && !letter.MatchString(strings.ReplaceAll(word, Wildcard, ""))
}

func isVariablePosition(words map[string]bool, next string, variableAfter int) bool {
	if isBareValue(next) {
		return true
	}
	for w := range words {
		if isBareValue(w) {
			return true
		}
	}
	distinct := len(words)
	if !words[next] {
		distinct++
	}
	if distinct < variableAfter {
		return false
	}
	if distinct >= manyWords {
		return true
	}
	for w := range words {
		if !namesEvent(w) {
			return true
		}
	}
	return !namesEvent(next)
}

func enclosing(c byte) bool { return strings.IndexByte(enclosingPunctuation, c) >= 0 }

func bracketedVariable(a, b string) string {
	room := min(len(a), len(b))
	head := 0
	for head < room && a[head] == b[head] && enclosing(a[head]) {
		head++
	}
	tail := 0
	for tail < room-head && a[len(a)-1-tail] == b[len(b)-1-tail] && enclosing(a[len(a)-1-tail]) {
		tail++
	}
	if head == 0 && tail == 0 {
		return Wildcard
	}
	return a[:head] + Wildcard + a[len(a)-tail:]
}

func emptiedField(a, b string) bool {
	short, long := b, a
	if jsLen(a) < jsLen(b) {
		short, long = a, b
	}
	return jsLen(short) > 1 && strings.HasSuffix(short, "=") && strings.HasPrefix(long, short)
}

func fitsBracketed(template, word string) bool {
	at := strings.Index(template, Wildcard)
	if at < 0 || len(template) == len(Wildcard) {
		return false
	}
	tail := len(template) - at - len(Wildcard)
	if len(word) < at+tail || strings.Contains(template[at+1:], Wildcard) {
		return false
	}
	for i := 0; i < at; i++ {
		if template[i] != word[i] || !enclosing(template[i]) {
			return false
		}
	}
	for i := 1; i <= tail; i++ {
		if template[len(template)-i] != word[len(word)-i] || !enclosing(template[len(template)-i]) {
			return false
		}
	}
	return true
}

func globMatches(template, tokens []string) bool {
	t, b, starT, starB := 0, 0, -1, -1
	for b < len(tokens) {
		switch {
		case t < len(template) && template[t] == Wildcard:
			starT = t
			t++
			b++
			starB = b
		case t < len(template) && template[t] == tokens[b]:
			t++
			b++
		case starT >= 0:
			t = starT + 1
			starB++
			b = starB
		default:
			return false
		}
	}
	return t == len(template)
}

func similarity(template, tokens []string) float64 {
	words, equal := 0, 0
	for i, t := range template {
		if t == Wildcard && tokens[i] == Wildcard {
			continue
		}
		words++
		if t == tokens[i] {
			equal++
		}
	}
	if words == 0 {
		return 1
	}
	return float64(equal) / float64(words)
}

func extraWordBesideWildcard(wider, tokens []string) int {
	k := 0
	for k < len(tokens) && wider[k] == tokens[k] {
		k++
	}
	for i := k; i < len(tokens); i++ {
		if wider[i+1] != tokens[i] {
			return -1
		}
	}
	if (k >= 1 && wider[k-1] == Wildcard) || (k+1 < len(wider) && wider[k+1] == Wildcard) {
		return k
	}
	return -1
}

// Pattern is one template of a service, as the daemon's miner holds it.
type Pattern struct {
	service    string
	tokens     []string
	ID         string
	Template   string
	count      int
	mergedInto *Pattern
	evicted    bool
	lastUsed   int
	seq        int
	siblings   map[int]*orderedPatterns
}

// orderedPatterns is a map kept in insertion order (the daemon's Map).
type orderedPatterns struct {
	keys  []string
	items map[string]*Pattern
}

func newOrdered() *orderedPatterns { return &orderedPatterns{items: map[string]*Pattern{}} }

func (o *orderedPatterns) set(key string, p *Pattern) {
	if _, ok := o.items[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.items[key] = p
}

func (p *Pattern) refresh() {
	p.Template = collapse(p.tokens)
	p.ID = patternID(p.service, p.Template)
}

func (p *Pattern) current() *Pattern {
	q := p
	for q.mergedInto != nil {
		q = q.mergedInto
	}
	if p.mergedInto != nil && p.mergedInto != q {
		p.mergedInto = q
	}
	return q
}

func first(tokens []string) string {
	if len(tokens) == 0 {
		return Wildcard
	}
	return tokens[0]
}

func last(tokens []string) string {
	if len(tokens) == 0 {
		return Wildcard
	}
	return tokens[len(tokens)-1]
}

func removeFrom(items []*Pattern, p *Pattern) []*Pattern {
	for i, q := range items {
		if q == p {
			return append(items[:i:i], items[i+1:]...)
		}
	}
	return items
}

func push(index map[string][]*Pattern, key string, p *Pattern) { index[key] = append(index[key], p) }

func pull(index map[string][]*Pattern, key string, p *Pattern) {
	items, ok := index[key]
	if !ok {
		return
	}
	items = removeFrom(items, p)
	if len(items) == 0 {
		delete(index, key)
	} else {
		index[key] = items
	}
}

type lengthBucket struct {
	all     []*Pattern
	byFirst map[string][]*Pattern
	byLast  map[string][]*Pattern
}

func newBucket() *lengthBucket {
	return &lengthBucket{byFirst: map[string][]*Pattern{}, byLast: map[string][]*Pattern{}}
}

func (b *lengthBucket) add(p *Pattern) {
	b.all = append(b.all, p)
	push(b.byFirst, first(p.tokens), p)
	push(b.byLast, last(p.tokens), p)
}

func (b *lengthBucket) remove(p *Pattern, firstToken, lastToken string) {
	b.all = removeFrom(b.all, p)
	pull(b.byFirst, firstToken, p)
	pull(b.byLast, lastToken, p)
}

// removeAll removes many at once (an eviction): one pass over each list, not one per pattern.
func (b *lengthBucket) removeAll(victims map[*Pattern]bool) {
	b.all = without(b.all, victims)
	for _, edge := range []struct {
		index map[string][]*Pattern
		of    func([]string) string
	}{{b.byFirst, first}, {b.byLast, last}} {
		keys := map[string]bool{}
		for p := range victims {
			keys[edge.of(p.tokens)] = true
		}
		for key := range keys {
			index := edge.index
			items, ok := index[key]
			if !ok {
				continue
			}
			if kept := without(items, victims); len(kept) == 0 {
				delete(index, key)
			} else {
				index[key] = kept
			}
		}
	}
}

// without is items less victims, in order (a fresh slice when any went: others may hold the old one).
func without(items []*Pattern, victims map[*Pattern]bool) []*Pattern {
	var kept []*Pattern
	for i, p := range items {
		if victims[p] {
			if kept == nil {
				kept = append(make([]*Pattern, 0, len(items)), items[:i]...)
			}
		} else if kept != nil {
			kept = append(kept, p)
		}
	}
	if kept == nil {
		return items
	}
	return kept
}

func (b *lengthBucket) candidates(tokens []string) [][]*Pattern {
	if len(tokens) == 0 || tokens[0] == Wildcard || tokens[len(tokens)-1] == Wildcard {
		return [][]*Pattern{b.all}
	}
	return [][]*Pattern{b.byFirst[tokens[0]], b.byFirst[Wildcard], b.byLast[tokens[len(tokens)-1]], b.byLast[Wildcard]}
}

type serviceState struct {
	byLength map[int]*lengthBucket
	byID     map[string][]*Pattern
	exact    map[string]*Pattern
	byShape  map[string]*Pattern
	// live, with each pattern's insertion order (eviction sorts by last use; ties keep that order).
	live map[*Pattern]bool
}

// Miner is the daemon's template miner. Not safe for concurrent use: the sampler holds it under its lock.
type Miner struct {
	maxPatterns int
	services    map[string]*serviceState
	aliases     map[string]*list.Element
	aliasOrder  *list.List
	aliasMax    int
	tick        int
	seq         int
}

type alias struct{ from, to string }

func NewMiner(maxPatterns int) *Miner {
	if maxPatterns <= 0 {
		maxPatterns = defaultMaxPatterns
	}
	return &Miner{maxPatterns: maxPatterns, services: map[string]*serviceState{}, aliases: map[string]*list.Element{}, aliasOrder: list.New(), aliasMax: max(1000, maxPatterns*4)}
}

func (m *Miner) state(service string) *serviceState {
	s, ok := m.services[service]
	if !ok {
		s = &serviceState{byLength: map[int]*lengthBucket{}, byID: map[string][]*Pattern{}, exact: map[string]*Pattern{}, byShape: map[string]*Pattern{}, live: map[*Pattern]bool{}}
		m.services[service] = s
	}
	return s
}

func (m *Miner) evictLeastRecent(s *serviceState) {
	ordered := make([]*Pattern, 0, len(s.live))
	for p := range s.live {
		ordered = append(ordered, p)
	}
	sort.Slice(ordered, func(i, j int) bool {
		if ordered[i].lastUsed != ordered[j].lastUsed {
			return ordered[i].lastUsed < ordered[j].lastUsed
		}
		return ordered[i].seq < ordered[j].seq
	})
	victims := ordered[:max(1, int(math.Ceil(float64(len(s.live))*evictShare)))]
	byLength := map[int]map[*Pattern]bool{}
	for _, p := range victims {
		p.evicted = true
		delete(s.live, p)
		pull(s.byID, p.ID, p)
		if byLength[len(p.tokens)] == nil {
			byLength[len(p.tokens)] = map[*Pattern]bool{}
		}
		byLength[len(p.tokens)][p] = true
	}
	for length, gone := range byLength {
		if b, ok := s.byLength[length]; ok {
			b.removeAll(gone)
		}
	}
	s.exact = map[string]*Pattern{}
	s.byShape = map[string]*Pattern{}
}

// Add mines one body of a service and returns the pattern that stands for it now.
func (m *Miner) Add(service, body string) *Pattern {
	s := m.state(service)
	shape := shapeOf(body)
	var p *Pattern
	if cached, ok := s.byShape[shape]; ok {
		p = cached.current()
	}
	if p == nil || p.evicted {
		key := Masked(body)
		p = nil
		if cached, ok := s.exact[key]; ok {
			p = cached.current()
		}
		if p == nil || p.evicted {
			var tokens []string
			if key != "" {
				tokens = strings.Split(key, " ")
			}
			p = m.match(s, service, tokens)
			if len(s.exact) >= m.maxPatterns*4 {
				s.exact = map[string]*Pattern{}
			}
			s.exact[key] = p
		}
		if holdsForShape(key) {
			if len(s.byShape) >= m.maxPatterns*4 {
				s.byShape = map[string]*Pattern{}
			}
			s.byShape[shape] = p
		}
	}
	m.tick++
	p.lastUsed = m.tick
	p.count++
	return p
}

func (m *Miner) bucket(s *serviceState, length int) *lengthBucket {
	b, ok := s.byLength[length]
	if !ok {
		b = newBucket()
		s.byLength[length] = b
	}
	return b
}

func (m *Miner) match(s *serviceState, service string, tokens []string) *Pattern {
	b := m.bucket(s, len(tokens))
	var best *Pattern
	bestScore := -1.0
	for _, candidates := range b.candidates(tokens) {
		for _, c := range candidates {
			if score := similarity(c.tokens, tokens); score > bestScore {
				best, bestScore = c, score
			}
		}
	}
	if best == nil || bestScore < minerSimilarity {
		if p := m.widerMatch(s, tokens); p != nil {
			return p
		}
		if p := m.narrowerMatch(s, tokens); p != nil {
			return p
		}
		return m.create(s, b, service, tokens)
	}
	var differing []int
	for i, word := range tokens {
		t := best.tokens[i]
		if t != Wildcard && t != word && !fitsBracketed(t, word) {
			differing = append(differing, i)
		}
	}
	if len(differing) == 0 {
		return best
	}
	if len(differing) > 1 {
		for _, i := range differing {
			if (namesEvent(best.tokens[i]) && namesEvent(tokens[i])) || emptiedField(best.tokens[i], tokens[i]) {
				return m.create(s, b, service, tokens)
			}
		}
		return m.generalise(s, b, best, differing, tokens)
	}
	position := differing[0]
	word := tokens[position]
	if best.siblings == nil {
		best.siblings = map[int]*orderedPatterns{}
	}
	siblings, ok := best.siblings[position]
	if !ok {
		siblings = newOrdered()
		best.siblings[position] = siblings
	}
	if known, ok := siblings.items[word]; ok {
		known = known.current()
		if !known.evicted && known != best {
			return known
		}
	}
	words := map[string]bool{best.tokens[position]: true}
	for _, w := range siblings.keys {
		if sib := siblings.items[w]; sib.mergedInto == nil && !sib.evicted {
			words[w] = true
		}
	}
	if !isVariablePosition(words, word, minerVariableAfter) {
		sibling := m.create(s, b, service, tokens)
		siblings.set(word, sibling)
		return sibling
	}
	standing := m.generalise(s, b, best, []int{position}, tokens)
	for _, w := range siblings.keys {
		m.fold(s, siblings.items[w].current(), standing)
	}
	delete(best.siblings, position)
	return standing
}

func (m *Miner) create(s *serviceState, b *lengthBucket, service string, tokens []string) *Pattern {
	m.seq++
	p := &Pattern{service: service, tokens: tokens, seq: m.seq}
	p.refresh()
	b.add(p)
	s.live[p] = true
	push(s.byID, p.ID, p)
	m.stand(p.ID)
	m.tick++
	p.lastUsed = m.tick
	if len(s.live) > m.maxPatterns {
		m.evictLeastRecent(s)
	}
	return p
}

func (m *Miner) generalise(s *serviceState, b *lengthBucket, p *Pattern, positions []int, body []string) *Pattern {
	oldID := p.ID
	oldFirst, oldLast := p.tokens[0], p.tokens[len(p.tokens)-1]
	for _, i := range positions {
		if body != nil {
			p.tokens[i] = bracketedVariable(p.tokens[i], body[i])
		} else {
			p.tokens[i] = Wildcard
		}
	}
	p.refresh()
	if p.tokens[0] != oldFirst || p.tokens[len(p.tokens)-1] != oldLast {
		b.remove(p, oldFirst, oldLast)
		b.add(p)
	}
	if p.ID == oldID {
		return p
	}
	pull(s.byID, oldID, p)
	var twin *Pattern
	for _, q := range s.byID[p.ID] {
		if equalTokens(q.tokens, p.tokens) {
			twin = q
			break
		}
	}
	push(s.byID, p.ID, p)
	m.stand(p.ID)
	m.retireIfUnheld(s, oldID, p.ID)
	if twin != nil {
		m.fold(s, p, twin)
		return twin
	}
	return p
}

func equalTokens(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (m *Miner) narrowerMatch(s *serviceState, tokens []string) *Pattern {
	b, ok := s.byLength[len(tokens)+1]
	if !ok {
		return nil
	}
	constants := 0
	for _, t := range tokens {
		if t != Wildcard {
			constants++
		}
	}
	if constants < 2 || float64(constants) < minerSimilarity*float64(constants+1) {
		return nil
	}
	for _, candidates := range b.candidates(tokens) {
		for _, c := range candidates {
			if extra := extraWordBesideWildcard(c.tokens, tokens); extra >= 0 && !namesEvent(c.tokens[extra]) {
				return m.generalise(s, b, c, []int{extra}, nil)
			}
		}
	}
	return nil
}

func (m *Miner) widerMatch(s *serviceState, tokens []string) *Pattern {
	for width := len(tokens) - 1; width >= 1 && width >= len(tokens)-maxExtraTokens; width-- {
		b, ok := s.byLength[width]
		if !ok {
			continue
		}
		for _, candidates := range b.candidates(tokens) {
			for _, c := range candidates {
				if covers(c.tokens, tokens) {
					return c
				}
			}
		}
	}
	return nil
}

func covers(template, tokens []string) bool {
	constants, words := 0, 0
	for _, t := range template {
		if t != Wildcard {
			constants++
		}
	}
	for _, t := range tokens {
		if t != Wildcard {
			words++
		}
	}
	if constants == len(template) || constants < 2 || words-constants > 1 || float64(constants) < minerSimilarity*float64(words) {
		return false
	}
	return globMatches(template, tokens)
}

func (m *Miner) fold(s *serviceState, from, into *Pattern) {
	if from == into || from.mergedInto != nil || from.evicted {
		return
	}
	delete(s.live, from)
	pull(s.byID, from.ID, from)
	from.mergedInto = into
	into.count += from.count
	m.retireIfUnheld(s, from.ID, into.ID)
	m.bucket(s, len(from.tokens)).remove(from, first(from.tokens), last(from.tokens))
}

func (m *Miner) retireIfUnheld(s *serviceState, from, to string) {
	if _, held := s.byID[from]; !held {
		m.retire(from, to)
	}
}

func (m *Miner) retire(from, to string) {
	if from == to {
		return
	}
	m.dropAlias(to)
	m.dropAlias(from)
	m.aliases[from] = m.aliasOrder.PushBack(alias{from, to})
	for m.aliasOrder.Len() > m.aliasMax {
		oldest := m.aliasOrder.Front()
		m.aliasOrder.Remove(oldest)
		delete(m.aliases, oldest.Value.(alias).from)
	}
}

func (m *Miner) dropAlias(id string) {
	if e, ok := m.aliases[id]; ok {
		m.aliasOrder.Remove(e)
		delete(m.aliases, id)
	}
}

func (m *Miner) stand(id string) { m.dropAlias(id) }

// Resolve gives the id that stands now for an id handed out earlier.
func (m *Miner) Resolve(id string) string {
	current := id
	for hops := 0; hops < maxAliasHops; hops++ {
		e, ok := m.aliases[current]
		if !ok || e.Value.(alias).to == id {
			break
		}
		current = e.Value.(alias).to
	}
	return current
}

// Template is the template an id stands for now, when the miner still holds it.
func (m *Miner) Template(service, id string) (string, bool) {
	s, ok := m.services[service]
	if !ok {
		return "", false
	}
	holders := s.byID[m.Resolve(id)]
	if len(holders) == 0 {
		return "", false
	}
	return holders[0].Template, true
}
