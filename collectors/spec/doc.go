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
// A value in items.missing (default "" and "--") is a missing field. An item lacking a required
// field is not emitted; the page is quarantined with the reason and its other items are kept.
//
// Extraction (Page.Extract) is pure: saved pages test a spec without a network. The crawl wiring
// is in collect.go. Specs in collectors/specs are embedded and registered as sources; fhi
// --spec-dir loads edited copies over them.
package spec
