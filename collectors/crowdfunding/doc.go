// Package crowdfunding collects the crowdfunding portal's platform list: one page, one table
// (no paging) of every platform with its city, operating status and the sum raised by all its
// projects.
//
// URL scheme under the base URL: /platforms serves table.cf-platforms tr.cf-platform[data-id] with
// td.name, td.city (short city name, e.g. 杭州), td.status (正常/停业/问题) and td.raised (万元,
// "--" unknown). The project list (/projects?page=N) is not collected yet.
package crowdfunding
