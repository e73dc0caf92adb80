// Package spec describes list/detail sites declaratively, so that a changed site costs an edit of a
// YAML file rather than a release. A spec names its start URLs and, per kind of page, a path
// pattern, what must be on the page, which links to follow and how to cut the page into items and
// fields:
//
//	source: p2p
//	description: P2P lending platform directory
//	site: p2p                      # the sample-web site it crawls by default
//	start: ["platforms?page=1"]    # relative to the base URL
//	pages:
//	  - name: list
//	    match: '^/platforms$'      # regexp on the URL path below the base URL's path
//	    require: table.platforms   # absent → the page is quarantined (the layout changed)
//	    follow: ['tr.platform td.name a', 'div.pager a.next']
//	  - name: platform
//	    match: '^/platforms/[^/]+$'
//	    items:
//	      select: 'div.platform[data-id]'   # one record per match
//	      key: '{platform_id}'              # natural key: a template over the fields
//	      required: [platform_id, name]
//	      fields:                           # in column order
//	        platform_id: '@data-id'
//	        name: h1.name
//	        address: td.address
//
// Field extractors, relative to the item:
//
//	"css"           collapsed text of the first element matching css ("" = the item itself)
//	"css@attr"      an attribute of that element; "@attr" one of the item's own
//	"url:REGEXP"    the first capture group of REGEXP on the page's URL path (e.g. a sector in the path)
//	"const:VALUE"   a constant
//	"… | re:REGEXP" any of the above, keeping the first capture group of REGEXP (no match: missing),
//	                e.g. 'td.title a@href | re:/job/([^/]+)\.html$' for an id only a link carries
//
// JSON pages (format: json, or JSON in an HTML element with script: 'script#data') take dot paths
// instead of CSS: items.select names the array ("data.list", "" for the document itself) and each
// field a path inside an item ("salary", "company.name"); numbers keep their JSON text.
//
// Pagination: follow selectors (HTML links, or JSON paths to URLs) cover sites that link their next
// page; paginate: {param: page} covers APIs that do not — after a page that yielded items the next
// page number is requested, and a 404 there ends the list without counting as a failure.
//
// More field sources: "doc:EXPR" evaluates a CSS extractor or JSON path on the whole page (a city
// named once in a header), "query:NAME" reads the URL's query, "parent:NAME" a value the linking
// page carried (follow … carry). "url:" sees the same path as match:. HTML attribute names are
// case-insensitive, so '@data-positionId' works. JSON paths take ".0" indexes and ".*" for every
// element of an array.
//
// Data inside scripts: a json page with var: NAME reads the value assigned to NAME (var/let/const,
// window.__X__ = …) in the elements script: selects (or the whole body): an object or array
// literal (JSON, or JavaScript with bare keys, single quotes, trailing commas), a string of
// escaped JSON ('{\u0022a\u0022:1}') or JSON.parse('…'). A JSONP body (callback({…})) is
// unwrapped without saying so.
//
// Follow entries are a selector (string) or a mapping {select, link, url, carry}: select picks
// items (HTML elements or JSON values), url is a template over extractors of the item
// ('/loan/{loanId}', '{job_href}'), carry names values the linked page sees as parent: fields.
//
// Requests: request: {method, form | json, headers} says how a page kind is asked for (an AJAX
// list's POST form and its Referer; {base} and {origin} expand). Pagination: paginate: {param, in:
// query|form|json|path, start, step, total, pages, cursor} — a page number, an offset stepping by
// the page size, a page number in the path (param is then a regexp with one group), or a cursor
// from the answer; the list ends on an empty page, a stated total or page count, or a 404.
//
// allowed_hosts lists other hosts the source may fetch ("jobs.example.com", "*.example.com");
// charset: overrides what a site declares. revisit: always|adaptive overrides whether a page kind
// is a list (fetched every incremental run) or a detail page (revisited on a schedule).
//
// A value in items.missing (default "" and "--") is a missing field. An item lacking a required
// field is not emitted; the page is quarantined with the reason and its other items are kept.
//
// Extraction (Page.Extract) is pure: saved pages test a spec without a network. The crawl wiring
// is in collect.go: collector.handle is one page's work (match, extract, emit, the requests it
// leads to), the boundary another scheduler can drive. Specs in collectors/specs are embedded and registered as sources; fhi
// --spec-dir loads edited copies over them.
package spec
