package collectors

import (
	"net/http"
	"strings"
)

// envHeaders are the request headers a source may take from the environment.
var envHeaders = map[string]string{"COOKIE": "Cookie", "AUTHORIZATION": "Authorization", "API_KEY": "X-Api-Key"}

// HeadersFromEnv returns the credentials set for source in the environment, as
// FHI_<SOURCE>_COOKIE, FHI_<SOURCE>_AUTHORIZATION and FHI_<SOURCE>_API_KEY (source upper-cased).
// Secrets stay out of config files, archives and logs: the archive drops these headers.
func HeadersFromEnv(source string, getenv func(string) string) http.Header {
	h := http.Header{}
	prefix := "FHI_" + strings.ToUpper(strings.ReplaceAll(source, "-", "_")) + "_"
	for env, header := range envHeaders {
		if v := getenv(prefix + env); v != "" {
			h.Set(header, v)
		}
	}
	return h
}
