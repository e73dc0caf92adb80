// Package licensees collects the regulators' licensee lists: non-bank payment licences, enterprise
// (big-data) credit filings and blockchain information-service filings.
//
// URL scheme under the base URL: /payment, /credit and /blockchain each serve the full list as one
// table (no paging): table.licensees tr.licensee[data-id] with td.licence, td.company, td.brand,
// td.city (short city name, e.g. 杭州), td.capital (registered capital, "40000万元"), td.status
// (正常/停业/问题) and td.volume (payment: 2016 transactions in 亿元; credit: 2016 queries in 万次;
// blockchain: 2016 revenue in 万元; "--" unknown).
package licensees
