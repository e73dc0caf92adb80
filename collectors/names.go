package collectors

import (
	"errors"
	"fmt"
	"regexp"
)

// ErrSourceName marks a string that is not a valid source name.
var ErrSourceName = errors.New("collectors: invalid source name")

// sourceName is the one rule for source names. A name becomes a registry key, a config key, a lake
// directory and part of a SQL table name, so it must be safe as all four: lowercase letters, digits
// and underscores, starting with a letter, at most 63 characters.
var sourceName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidSourceName reports whether name may name a source; the error (a *SourceNameError) quotes
// the name and states the rule.
func ValidSourceName(name string) error {
	if sourceName.MatchString(name) {
		return nil
	}
	return &SourceNameError{Name: name}
}

// SourceNameError is a name that breaks the source-name rule; it matches ErrSourceName.
type SourceNameError struct{ Name string }

func (e *SourceNameError) Error() string {
	return fmt.Sprintf("%q is not a valid source name: use lowercase letters, digits and underscores, starting with a letter (at most 63), like p2p or city_stats", e.Name)
}

func (e *SourceNameError) Is(target error) bool { return target == ErrSourceName }
